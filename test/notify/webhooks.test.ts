import { Webhook } from "standardwebhooks";
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { privateTargetProblem } from "../../src/notify/webhook-delivery.js";
import { retryDelay } from "../../src/engine/outbox-actor.js";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { snapshotTables } from "../support/table-snapshot.js";
import { WebhookReceiver, type ReceivedWebhook } from "../support/webhook-receiver.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  receiver: WebhookReceiver;
}

interface Shop {
  tenant: TestTenant;
  calendarId: string;
  serviceId: string;
}

let codes = 0;

async function openShop(engine: TestEngine, name: string): Promise<Shop> {
  const tenant = await signUpTenant(engine, `hooks-${name}-${++codes}`);
  return { tenant, ...(await createOffer(engine, tenant)) };
}

async function addEndpoint(
  engine: TestEngine,
  shop: Shop,
  url: string,
  events: string[] = ["*"],
): Promise<{ id: string; secret: string }> {
  const answer = await engine.api("POST", "/api/v1/webhooks", {
    token: shop.tenant.secretKey,
    body: { url, events, description: "test receiver" },
  });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  assert.match(answer.body.secret, /^whsec_/);
  return { id: answer.body.id, secret: answer.body.secret };
}

async function book(engine: TestEngine, shop: Shop, time: string, n: number) {
  const answer = await engine.api("POST", "/api/v1/bookings", {
    token: shop.tenant.secretKey,
    body: bookingBody(shop.calendarId, shop.serviceId, slotAt(time), n),
  });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  return answer.body as { id: string };
}

/** Requests to one test's endpoint (each test adds `?p=<name>` to the shared receiver's URL). */
function hooksFor(receiver: WebhookReceiver, name: string): ReceivedWebhook[] {
  return receiver.received.filter((hook) => hook.url.endsWith(`?p=${name}`));
}

/** Verifies a request with the Standard Webhooks reference library; answers its payload. */
function verified(secret: string, hook: ReceivedWebhook) {
  const payload = new Webhook(secret).verify(hook.body, {
    "webhook-id": hook.headers["webhook-id"]!,
    "webhook-timestamp": hook.headers["webhook-timestamp"]!,
    "webhook-signature": hook.headers["webhook-signature"]!,
  }) as { type: string; timestamp: string; data: Record<string, unknown> };
  return payload;
}

/** Calls `read` until `done` holds for its answer (15 s at most). */
async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
}

test("retry delays double from the base, with jitter, and stop growing at six hours", () => {
  for (let attempt = 1; attempt <= 40; attempt++) {
    const delay = retryDelay(1_000, attempt);
    const nominal = Math.min(1_000 * 2 ** (attempt - 1), 6 * 3_600_000);
    assert.ok(delay >= nominal * 0.5 && delay <= nominal * 1.5, `attempt ${attempt}: ${delay}`);
  }
});

test("internal addresses are refused as targets; public ones pass", async () => {
  for (const host of [
    "127.0.0.1",
    "10.1.2.3",
    "192.168.0.10",
    "169.254.169.254",
    "[::1]",
    "localhost",
  ]) {
    assert.ok(await privateTargetProblem(host), `${host} should be refused`);
  }
  assert.is(await privateTargetProblem("93.184.216.34"), undefined);
  assert.is(await privateTargetProblem("[2606:4700::1111]"), undefined);
});

test.run();

for (const dialect of dialectsUnderTest()) {
  const hooks = suite<Context>(`notify: outbound webhooks (${dialect.name})`);

  hooks.before(async (context) => {
    context.scratch = await dialect.create("webhooks");
    context.receiver = await new WebhookReceiver().start();
    context.engine = await startTestEngine(context.scratch.target, {
      WEBHOOK_ALLOW_PRIVATE_TARGETS: "true",
      WEBHOOK_RETRY_BASE_MS: "100",
      WEBHOOK_GIVE_UP_AFTER_MS: "1500",
      OUTBOX_SWEEP_MS: "500",
    });
  });

  hooks.after(async ({ engine, scratch, receiver }) => {
    await engine.stop();
    await receiver.stop();
    await scratch.drop();
  });

  hooks.before.each(({ receiver }) => {
    receiver.answer = () => 204;
  });

  hooks(
    "booked, moved and cancelled: the endpoint gets each event once, in order, signed",
    async ({ engine, receiver }) => {
      const shop = await openShop(engine, "order");
      const endpoint = await addEndpoint(engine, shop, `${receiver.url}?p=order`);
      const booking = await book(engine, shop, "10:00", 1);
      const moved = await engine.api("POST", `/api/v1/bookings/${booking.id}/reschedule`, {
        token: shop.tenant.secretKey,
        body: { start: slotAt("11:00") },
      });
      assert.is(moved.status, 200, JSON.stringify(moved.body));
      const cancelled = await engine.api("POST", `/api/v1/bookings/${booking.id}/cancel`, {
        token: shop.tenant.secretKey,
      });
      assert.is(cancelled.status, 200);

      const mine = () => hooksFor(receiver, "order");
      await receiver.waitFor(() => mine().length >= 3);
      const payloads = mine().map((hook) => verified(endpoint.secret, hook));
      assert.equal(
        payloads.map((payload) => payload.type),
        ["booking.created", "booking.rescheduled", "booking.cancelled"],
      );
      assert.is(payloads[0]!.data["id"], booking.id);
      assert.is(payloads[1]!.data["start"], slotAt("11:00"));
      assert.is(payloads[2]!.data["status"], "cancelled");
      const ids = new Set(mine().map((hook) => hook.headers["webhook-id"]));
      assert.is(ids.size, 3, "each event has its own webhook-id");
      assert.throws(() =>
        verified(`whsec_${Buffer.from("another secret entirely!").toString("base64")}`, mine()[0]!),
      );

      // The receiver answered before the worker recorded the answer: wait for the record.
      const log = await poll(
        () =>
          engine.api("GET", `/api/v1/webhooks/${endpoint.id}/deliveries`, {
            token: shop.tenant.secretKey,
          }),
        (answer) =>
          answer.body.data.every((delivery: { status: string }) => delivery.status !== "pending"),
      );
      assert.is(log.status, 200);
      assert.equal(
        log.body.data.map((delivery: { status: string; attempts: number }) => [
          delivery.status,
          delivery.attempts,
        ]),
        [
          ["delivered", 1],
          ["delivered", 1],
          ["delivered", 1],
        ],
      );
      assert.is(log.body.data[0].log[0].statusCode, 204);
    },
  );

  hooks("an endpoint only gets the event types it chose", async ({ engine, receiver }) => {
    const shop = await openShop(engine, "filter");
    await addEndpoint(engine, shop, `${receiver.url}?p=filter`, ["booking.cancelled"]);
    const kept = await book(engine, shop, "12:00", 2);
    const dropped = await book(engine, shop, "13:00", 3);
    await engine.api("POST", `/api/v1/bookings/${dropped.id}/cancel`, {
      token: shop.tenant.secretKey,
    });
    await receiver.waitFor(() => hooksFor(receiver, "filter").length >= 1);
    // Give a wrongly sent booking.created time to arrive before looking.
    await new Promise((resolve) => setTimeout(resolve, 700));
    const payloads = hooksFor(receiver, "filter").map((hook) => JSON.parse(hook.body));
    assert.equal(
      payloads.map((payload) => [payload.type, payload.data.id]),
      [["booking.cancelled", dropped.id]],
    );
    assert.ok(kept.id);
  });

  hooks(
    "refusals are retried with backoff; later events of the booking wait their turn",
    async ({ engine, receiver }) => {
      const shop = await openShop(engine, "retry");
      const endpoint = await addEndpoint(engine, shop, `${receiver.url}?p=retry`);
      const booking = await book(engine, shop, "14:00", 4);
      let refusals = 0;
      receiver.answer = (hook) => {
        if (hook.url.endsWith("?p=retry") && JSON.parse(hook.body).type === "booking.created") {
          refusals += 1;
          if (refusals <= 2) return 500;
        }
        return 200;
      };
      await engine.api("POST", `/api/v1/bookings/${booking.id}/cancel`, {
        token: shop.tenant.secretKey,
      });
      const mine = () => hooksFor(receiver, "retry");
      await receiver.waitFor(() => mine().some((hook) => hook.body.includes("booking.cancelled")));
      const sequence = mine().map((hook) => JSON.parse(hook.body).type);
      // Two refused attempts and the accepted one, and only then the cancellation.
      assert.equal(sequence, [
        "booking.created",
        "booking.created",
        "booking.created",
        "booking.cancelled",
      ]);
      const times = mine().map((hook) => hook.at);
      assert.ok(times[1]! - times[0]! >= 50, "the first retry waited about the base delay");
      assert.is(
        new Set(
          mine()
            .slice(0, 3)
            .map((hook) => hook.headers["webhook-id"]),
        ).size,
        1,
        "retries keep the webhook-id",
      );
      const log = await poll(
        () =>
          engine.api("GET", `/api/v1/webhooks/${endpoint.id}/deliveries`, {
            token: shop.tenant.secretKey,
          }),
        (answer) =>
          answer.body.data.every((delivery: { status: string }) => delivery.status !== "pending"),
      );
      const created = log.body.data.find(
        (delivery: { eventType: string }) => delivery.eventType === "booking.created",
      );
      assert.equal(
        created.log.map((attempt: { statusCode: number }) => attempt.statusCode),
        [500, 500, 200],
      );
      assert.is(created.status, "delivered");
    },
  );

  hooks(
    "an endpoint that keeps failing past the give-up time is turned off and its tenant told; replay after turning it on",
    async ({ engine, receiver }) => {
      const shop = await openShop(engine, "giveup");
      const endpoint = await addEndpoint(engine, shop, `${receiver.url}?p=giveup`);
      let accepting = false;
      receiver.answer = (hook) => (hook.url.endsWith("?p=giveup") && !accepting ? 503 : 204);
      await book(engine, shop, "15:00", 5);

      const read = await poll(
        () =>
          engine.api("GET", `/api/v1/webhooks/${endpoint.id}`, { token: shop.tenant.secretKey }),
        (answer) => answer.body.enabled === false,
      );
      assert.match(read.body.disabledReason, /503/);
      const log = await engine.api("GET", `/api/v1/webhooks/${endpoint.id}/deliveries`, {
        token: shop.tenant.secretKey,
      });
      const [failed] = log.body.data;
      assert.is(failed.status, "failed");
      assert.ok(failed.attempts >= 3, `${failed.attempts} attempts before giving up`);
      assert.is(failed.log.length, failed.attempts);
      await engine.engine.services.mailer.idle();
      const told = await rowsOf(engine, "email_messages", {
        tenant_id: shop.tenant.id,
        template: "webhook-disabled",
      });
      assert.is(told.length, 1, "the owner was told once");
      assert.is(told[0].to, shop.tenant.email);

      const replayPath = `/api/v1/webhooks/${endpoint.id}/deliveries/${failed.id}/replay`;
      const refused = await engine.api("POST", replayPath, { token: shop.tenant.secretKey });
      assert.is(refused.status, 409, "no replay to an endpoint that is off");
      accepting = true;
      const enabled = await engine.api("PATCH", `/api/v1/webhooks/${endpoint.id}`, {
        token: shop.tenant.secretKey,
        body: { enabled: true },
      });
      assert.equal([enabled.body.enabled, enabled.body.disabledReason], [true, null]);
      const replayed = await engine.api("POST", replayPath, { token: shop.tenant.secretKey });
      assert.is(replayed.status, 201, JSON.stringify(replayed.body));
      assert.is(replayed.body.eventId, failed.eventId);
      await poll(
        () =>
          engine.api("GET", `/api/v1/webhooks/${endpoint.id}/deliveries`, {
            token: shop.tenant.secretKey,
          }),
        (answer) =>
          answer.body.data.some(
            (delivery: { id: string; status: string }) =>
              delivery.id === replayed.body.id && delivery.status === "delivered",
          ),
      );
      const last = hooksFor(receiver, "giveup").at(-1)!;
      assert.is(last.headers["webhook-id"], failed.eventId, "the replay keeps the webhook-id");
      assert.is(verified(endpoint.secret, last).type, "booking.created");
    },
  );

  hooks("tenant changes reach endpoints that asked for them", async ({ engine, receiver }) => {
    const shop = await openShop(engine, "tenant");
    const endpoint = await addEndpoint(engine, shop, `${receiver.url}?p=tenant`, [
      "tenant.updated",
    ]);
    const renamed = await engine.api("PATCH", "/api/v1/tenant", {
      token: shop.tenant.secretKey,
      body: { name: "Renamed Clinic" },
    });
    assert.is(renamed.status, 200);
    const upgraded = await engine.api("PATCH", `/api/v1/admin/tenants/${shop.tenant.code}`, {
      token: testAdminToken,
      body: { planSlug: "business" },
    });
    assert.is(upgraded.status, 200);
    await book(engine, shop, "16:00", 9);
    await receiver.waitFor(() => hooksFor(receiver, "tenant").length >= 2);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const payloads = hooksFor(receiver, "tenant").map((hook) => verified(endpoint.secret, hook));
    assert.equal(
      payloads.map((payload) => payload.type),
      ["tenant.updated", "tenant.updated"],
      "the booking is not sent to an endpoint that only asked for tenant changes",
    );
    assert.is(payloads[0]!.data["name"], "Renamed Clinic");
    assert.equal((payloads[0]!.data["change"] as { after: object }).after, {
      name: "Renamed Clinic",
    });
    assert.is(payloads[1]!.data["plan"], "business");
  });

  hooks("a ping reports what the endpoint answered and is logged", async ({ engine, receiver }) => {
    const shop = await openShop(engine, "ping");
    const endpoint = await addEndpoint(engine, shop, `${receiver.url}?p=ping`);
    const ok = await engine.api("POST", `/api/v1/webhooks/${endpoint.id}/ping`, {
      token: shop.tenant.secretKey,
    });
    assert.is(ok.status, 200);
    assert.equal([ok.body.delivered, ok.body.statusCode, ok.body.error], [true, 204, null]);
    const hook = receiver.received.at(-1)!;
    assert.is(verified(endpoint.secret, hook).type, "webhook.ping");
    receiver.answer = () => 401;
    const refused = await engine.api("POST", `/api/v1/webhooks/${endpoint.id}/ping`, {
      token: shop.tenant.secretKey,
    });
    assert.equal([refused.body.delivered, refused.body.statusCode], [false, 401]);
    const log = await engine.api("GET", `/api/v1/webhooks/${endpoint.id}/deliveries`, {
      token: shop.tenant.secretKey,
    });
    assert.equal(
      log.body.data.map((delivery: { status: string }) => delivery.status),
      ["failed", "delivered"],
    );
  });

  hooks(
    "secrets show once; bad input and other tenants change nothing",
    async ({ engine, receiver }) => {
      const shop = await openShop(engine, "guard");
      const rival = await openShop(engine, "guard-rival");
      const endpoint = await addEndpoint(engine, shop, `${receiver.url}?p=guard`);
      const listed = await engine.api("GET", "/api/v1/webhooks", { token: shop.tenant.secretKey });
      assert.is(listed.body.data.length, 1);
      assert.is(listed.body.data[0].secret, undefined);
      assert.ok(endpoint.secret.startsWith(listed.body.data[0].secretPrefix));

      const db = engine.engine.services.db;
      const before = await snapshotTables(db);
      for (const body of [
        { url: "ftp://example.org/hook", events: ["booking.created"] },
        { url: "https://user:pw@example.org/hook", events: ["booking.created"] },
        { url: "https://example.org/hook", events: [] },
        { url: "https://example.org/hook", events: ["booking.exploded"] },
        { url: "not a url", events: ["*"] },
      ]) {
        const answer = await engine.api("POST", "/api/v1/webhooks", {
          token: shop.tenant.secretKey,
          body,
        });
        assert.is(answer.status, 422, JSON.stringify(body));
        assert.is(answer.body.error.code, "invalid_input");
      }
      for (const [method, path] of [
        ["GET", `/api/v1/webhooks/${endpoint.id}`],
        ["PATCH", `/api/v1/webhooks/${endpoint.id}`],
        ["DELETE", `/api/v1/webhooks/${endpoint.id}`],
        ["POST", `/api/v1/webhooks/${endpoint.id}/ping`],
        ["GET", `/api/v1/webhooks/${endpoint.id}/deliveries`],
      ] as const) {
        const answer = await engine.api(method, path, {
          token: rival.tenant.secretKey,
          ...(method === "PATCH" ? { body: { enabled: false } } : {}),
        });
        assert.is(answer.status, 404, `${method} ${path}`);
      }
      const publishable = await engine.api("GET", "/api/v1/webhooks", {
        token: shop.tenant.publishableKey,
      });
      assert.is(publishable.status, 403);
      assert.is(await snapshotTables(db), before);
    },
  );

  hooks.run();
}
