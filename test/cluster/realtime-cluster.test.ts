import { suite } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../support/actor-fakes.js";
import { bookingBody, slotAt } from "../support/booking-fixtures.js";
import {
  startCluster,
  stopCluster,
  waitForStableCluster,
  type ClusterNode,
} from "../support/cluster.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { callApi, type TestTenant } from "../support/engine.js";
import { redisUrl, warnSkipped } from "../support/services.js";
import { connectSocket, type TestSocket } from "../support/sockets.js";

const mysql = dialectsUnderTest().find((dialect) => dialect.name === "mysql");
const redis = redisUrl();
const graceMs = 1000;

interface Context {
  scratch: ScratchDatabase;
  nodes: ClusterNode[];
  sockets: TestSocket[];
}

const realtime = suite<Context>(
  "cluster: Socket.IO and shared caches across three engine processes",
);

realtime.before(async (context) => {
  context.sockets = [];
  context.nodes = [];
  if (!mysql || !redis) return;
  context.scratch = await mysql.create("realtime_cluster");
  const target = context.scratch.target;
  context.nodes = await startCluster(3, {
    databaseUrl: target.dialect === "mysql" ? target.url : "",
    redisUrl: redis,
    env: { HOLD_GRACE_MS: String(graceMs) },
  });
  await waitForStableCluster(context.nodes);
});

realtime.after.each((context) => {
  for (const socket of context.sockets) socket.close();
  context.sockets = [];
});

realtime.after(async (context) => {
  await stopCluster(context.nodes);
  await context.scratch?.drop();
});

let codes = 0;

/** A tenant with a calendar (09:00–17:00 UTC, 30-minute slots) and a 30-minute service. */
async function tenantWithOffer(node: ClusterNode, name: string) {
  const code = `${name}-${++codes}-${Date.now().toString(36)}`;
  const email = `owner@${code}.example.org`;
  const password = "correct horse battery";
  const signup = await callApi(node.url, "POST", "/api/v1/signup", {
    body: { tenantCode: code, name, businessType: "medical", email, password },
  });
  assert.is(signup.status, 201);
  const tenant: TestTenant = {
    id: signup.body.tenant.id,
    code,
    secretKey: signup.body.keys.secret,
    publishableKey: signup.body.keys.publishable,
    email,
    password,
  };
  const hours = Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((day) => [day, [["09:00", "17:00"]]]),
  );
  const calendar = await callApi(node.url, "POST", "/api/v1/calendars", {
    token: tenant.secretKey,
    body: { name: "Room", timezone: "UTC", weeklyHours: hours, slotIntervalMinutes: 30 },
  });
  const service = await callApi(node.url, "POST", "/api/v1/services", {
    token: tenant.secretKey,
    body: { calendarIds: [calendar.body.id], name: "Visit", durationMinutes: 30 },
  });
  return { tenant, calendarId: calendar.body.id as string, serviceId: service.body.id as string };
}

async function viewerOn(context: Context, node: ClusterNode, tenant: TestTenant) {
  const socket = await connectSocket(node.url, {
    tenant: tenant.code,
    apiKey: tenant.publishableKey,
  });
  context.sockets.push(socket);
  return socket;
}

const remainingAt = (push: { slots: { start: string; remaining: number }[] }, start: string) =>
  push.slots.find((slot) => slot.start === start)?.remaining;

if (!mysql || !redis) {
  warnSkipped("realtime cluster suite", "it needs MySQL (DATABASE_URL) and Redis (REDIS_URL)");
} else {
  realtime(
    "a booking over one node reaches subscribers and staff on the others",
    async (context) => {
      const [first, second, third] = context.nodes as [ClusterNode, ClusterNode, ClusterNode];
      const { tenant, calendarId, serviceId } = await tenantWithOffer(first, "spread");
      const onSecond = await viewerOn(context, second, tenant);
      const onThird = await viewerOn(context, third, tenant);
      const login = await callApi(third.url, "POST", "/api/v1/auth/login", {
        body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
      });
      const staff = await connectSocket(third.url, { token: login.body.token });
      context.sockets.push(staff);
      const ack = await onSecond.call("subscribe", { calendarId });
      await onThird.call("subscribe", { calendarId, serviceId });

      const start = slotAt("10:00");
      const made = await callApi(first.url, "POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(calendarId, serviceId, start, 3),
      });
      assert.is(made.status, 201);
      const expected = (ack.version as number) + 1;
      for (const socket of [onSecond, onThird]) {
        const push = await socket.nextPush((p) => p.version === expected);
        assert.is(remainingAt(push, start), 0);
      }
      const event = await staff.nextStaffEvent((e) => e.name === "booking");
      assert.is((event.payload.booking as { id: string }).id, made.body.id);
    },
  );

  realtime("versions stay one by one with bookings made through every node", async (context) => {
    const nodes = context.nodes;
    const { tenant, calendarId, serviceId } = await tenantWithOffer(nodes[0]!, "order");
    const socket = await viewerOn(context, nodes[1]!, tenant);
    const ack = await socket.call("subscribe", { calendarId });
    const times = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00"];
    const answers = await Promise.all(
      times.map((time, i) =>
        callApi(nodes[i % 3]!.url, "POST", "/api/v1/bookings", {
          token: tenant.secretKey,
          body: bookingBody(calendarId, serviceId, slotAt(time), i),
        }),
      ),
    );
    assert.ok(answers.every((answer) => answer.status === 201));
    const state = await callApi(
      nodes[2]!.url,
      "GET",
      `/api/v1/calendars/${calendarId}/availability`,
      { token: tenant.secretKey },
    );
    await socket.nextPush((p) => p.version === state.body.version);
    const first = ack.version as number;
    assert.equal(
      socket.pushes.map((push) => push.version),
      Array.from({ length: state.body.version - first }, (_, i) => first + 1 + i),
    );
  });

  realtime(
    "a hold returns to viewers on other nodes once its socket has been gone past the grace",
    async (context) => {
      const [first, second, third] = context.nodes as [ClusterNode, ClusterNode, ClusterNode];
      const { tenant, calendarId, serviceId } = await tenantWithOffer(first, "grace");
      const holder = await viewerOn(context, second, tenant);
      const watcher = await viewerOn(context, third, tenant);
      await watcher.call("subscribe", { calendarId });
      const start = slotAt("14:00");
      const held = await holder.call("hold", { calendarId, serviceId, start });
      assert.is(held.ok, true);
      await watcher.nextPush((p) => remainingAt(p, start) === 0);
      const leftAt = Date.now();
      holder.close();
      await watcher.nextPush((p) => remainingAt(p, start) === 1, graceMs + 5000);
      assert.ok(Date.now() - leftAt >= graceMs - 50, "not released before the grace was over");
    },
  );

  realtime(
    "a session dropped on one node resumes on another with what it missed",
    async (context) => {
      const [first, second, third] = context.nodes as [ClusterNode, ClusterNode, ClusterNode];
      const { tenant, calendarId, serviceId } = await tenantWithOffer(first, "resume");
      const auth = { tenant: tenant.code, apiKey: tenant.publishableKey };
      const before = await viewerOn(context, second, tenant);
      const ack = await before.call("subscribe", { calendarId });
      const holdStart = slotAt("15:00");
      const held = await before.call("hold", { calendarId, serviceId, start: holdStart });
      const holdId = (held.hold as { id: string }).id;
      await before.nextPush((p) => p.version === (ack.version as number) + 1);

      // What socket.io-client sends to resume: the session id and the last offset it saw.
      const resume = before.socket as unknown as { _pid: string; _lastOffset: string };
      const session = { pid: resume._pid, offset: resume._lastOffset };
      const sessionId = before.socket.id;
      before.socket.io.reconnection(false);
      before.socket.io.engine.close();
      const missedStart = slotAt("16:00");
      const made = await callApi(first.url, "POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(calendarId, serviceId, missedStart),
      });
      assert.is(made.status, 201);
      await sleep(200);

      const after = await connectSocket(third.url, { ...auth, ...session });
      context.sockets.push(after);
      // A fresh client cannot tell it resumed; the kept socket id and the missed push show it.
      assert.is(after.socket.id, sessionId, "the session resumed on another node");
      const missed = await after.nextPush((p) => p.version === (ack.version as number) + 2);
      assert.is(remainingAt(missed, missedStart), 0);

      await sleep(graceMs + 500);
      const holds = await callApi(second.url, "GET", `/api/v1/holds?calendarId=${calendarId}`, {
        token: tenant.secretKey,
      });
      assert.ok(
        holds.body.data.some((hold: { id: string }) => hold.id === holdId),
        "the resumed socket's hold outlived the grace",
      );
    },
  );

  realtime("a key revoked through one node is refused at once by the others", async (context) => {
    const [first, second] = context.nodes as [ClusterNode, ClusterNode];
    const { tenant } = await tenantWithOffer(first, "revoke");
    const made = await callApi(first.url, "POST", "/api/v1/keys", {
      token: tenant.secretKey,
      body: { kind: "secret" },
    });
    assert.is(made.status, 201);
    const key = made.body.key as string;
    assert.is((await callApi(second.url, "GET", "/api/v1/calendars", { token: key })).status, 200);
    const revoked = await callApi(first.url, "DELETE", `/api/v1/keys/${made.body.id}`, {
      token: tenant.secretKey,
    });
    assert.is(revoked.status, 200);
    await sleep(100);
    const after = await callApi(second.url, "GET", "/api/v1/calendars", { token: key });
    assert.is(after.status, 401, "the other node still honoured the revoked key");
  });

  realtime("a socket on one node never hears another tenant's changes", async (context) => {
    const [first, second] = context.nodes as [ClusterNode, ClusterNode];
    const a = await tenantWithOffer(first, "iso-a");
    const b = await tenantWithOffer(first, "iso-b");
    const socketB = await viewerOn(context, second, b.tenant);
    await socketB.call("subscribe", { calendarId: b.calendarId });
    const refused = await socketB.call("subscribe", { calendarId: a.calendarId });
    assert.is((refused.error as { code: string }).code, "not_found");
    const socketA = await viewerOn(context, second, a.tenant);
    await socketA.call("subscribe", { calendarId: a.calendarId });
    await callApi(first.url, "POST", "/api/v1/bookings", {
      token: a.tenant.secretKey,
      body: bookingBody(a.calendarId, a.serviceId, slotAt("11:00")),
    });
    await socketA.nextPush(() => true);
    await sleep(150);
    assert.equal(socketB.pushes, []);
  });
}

realtime.run();
