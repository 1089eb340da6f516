import { Webhook } from "standardwebhooks";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { startCluster, startNode, stopCluster, type ClusterNode } from "../support/cluster.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { callApi, signUpTenant, type TestEngine } from "../support/engine.js";
import { redisUrl, warnSkipped } from "../support/services.js";
import { WebhookReceiver } from "../support/webhook-receiver.js";

// The outbox's promise, tested the hard way: an engine process is killed (SIGKILL) while it
// is sending webhooks; a new process takes over, and every event still reaches the receiver,
// which sees each webhook-id at least once and, deduping by it, each event exactly once.

const mysql = dialectsUnderTest().find((dialect) => dialect.name === "mysql");
const redis = redisUrl();

interface Context {
  scratch: ScratchDatabase;
  nodes: ClusterNode[];
  receiver: WebhookReceiver;
}

const durability = suite<Context>("cluster: webhooks survive a killed engine");

durability.before.each(async (context) => {
  context.nodes = [];
  context.scratch = await mysql!.create("outbox");
  context.receiver = await new WebhookReceiver().start();
});

durability.after.each(async (context) => {
  await stopCluster(context.nodes);
  await context.receiver.stop();
  await context.scratch.drop();
});

/** A node's URL as the test helpers' `TestEngine` (only `url` and `api` are used). */
function asEngine(node: ClusterNode): TestEngine {
  return {
    url: node.url,
    api: (method, path, request) => callApi(node.url, method, path, request),
  } as TestEngine;
}

if (!mysql || !redis) {
  warnSkipped("outbox durability", "it needs MySQL (DATABASE_URL) and Redis (REDIS_URL)");
} else {
  durability(
    "kill -9 in the middle of deliveries: after a restart every event arrives, none twice after dedupe",
    async (context) => {
      const options = {
        databaseUrl: context.scratch.target.dialect === "mysql" ? context.scratch.target.url : "",
        redisUrl: redis,
        leaseTtlMs: 2000,
        env: {
          WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
          WEBHOOK_RETRY_BASE_MS: "200",
          OUTBOX_SWEEP_MS: "500",
        },
      };
      context.nodes = await startCluster(1, { ...options, name: "outbox" });
      const first = asEngine(context.nodes[0]!);
      const tenant = await signUpTenant(first, "outbox-kill");
      const offer = await createOffer(first, tenant);
      const endpoint = await first.api("POST", "/api/v1/webhooks", {
        token: tenant.secretKey,
        body: { url: context.receiver.url, events: ["booking.created"] },
      });
      assert.is(endpoint.status, 201, JSON.stringify(endpoint.body));
      const secret = endpoint.body.secret as string;

      // A slow receiver: each answer takes 150 ms, so the deliveries are still going on when
      // the engine dies.
      context.receiver.answer = async () => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return 200;
      };
      const times = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30"];
      const bookingIds: string[] = [];
      for (const [day, time] of [1, 2, 3].flatMap((d) => times.map((t) => [d, t] as const))) {
        const made = await first.api("POST", "/api/v1/bookings", {
          token: tenant.secretKey,
          body: bookingBody(
            offer.calendarId,
            offer.serviceId,
            slotAt(time, day + 1),
            bookingIds.length,
          ),
        });
        assert.is(made.status, 201, JSON.stringify(made.body));
        bookingIds.push(made.body.id);
      }

      await context.receiver.waitFor((received) => received.length >= 3);
      context.nodes[0]!.process.child.kill("SIGKILL");
      await context.nodes[0]!.process.stop("SIGKILL");
      const seenBeforeKill = context.receiver.received.length;
      assert.ok(
        seenBeforeKill < bookingIds.length,
        `all ${seenBeforeKill} arrived before the kill`,
      );

      // A new process (another node id) takes the shards over once the old lease ran out.
      context.nodes.push(await startNode("outbox-n9", "outbox", options));
      const uniqueIds = () =>
        new Set(context.receiver.received.map((hook) => hook.headers["webhook-id"]));
      await context.receiver.waitFor(() => uniqueIds().size >= bookingIds.length, 45_000);

      const byId = new Map<string, string>();
      for (const hook of context.receiver.received) {
        const payload = new Webhook(secret).verify(hook.body, {
          "webhook-id": hook.headers["webhook-id"]!,
          "webhook-timestamp": hook.headers["webhook-timestamp"]!,
          "webhook-signature": hook.headers["webhook-signature"]!,
        }) as { type: string; data: { id: string } };
        const seen = byId.get(hook.headers["webhook-id"]!);
        if (seen) assert.is(seen, payload.data.id, "a repeated webhook-id carries the same event");
        byId.set(hook.headers["webhook-id"]!, payload.data.id);
      }
      assert.equal([...byId.values()].sort(), [...bookingIds].sort(), "every booking, once each");
      process.stdout.write(
        `      ${bookingIds.length} events, ${context.receiver.received.length} requests ` +
          `(${context.receiver.received.length - bookingIds.length} repeats after the kill)\n`,
      );
    },
  );
}

durability.run();
