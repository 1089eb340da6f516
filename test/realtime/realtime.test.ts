import { suite } from "uvu";
import * as assert from "uvu/assert";
import { sleep } from "../support/actor-fakes.js";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { connectSocket, refusal, type TestSocket } from "../support/sockets.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  sockets: TestSocket[];
}

const graceMs = 1200;
let codes = 0;
const nextCode = (name: string) => `${name}-${++codes}`;

for (const dialect of dialectsUnderTest()) {
  const live = suite<Context>(`realtime: Socket.IO on one node (${dialect.name})`);

  live.before(async (context) => {
    context.scratch = await dialect.create("realtime");
    context.engine = await startTestEngine(context.scratch.target, {
      HOLD_GRACE_MS: String(graceMs),
    });
  });

  live.before.each((context) => {
    context.sockets = [];
  });

  live.after.each(({ sockets }) => {
    for (const socket of sockets) socket.close();
  });

  live.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  async function viewer(context: Context, tenant: TestTenant, origin?: string) {
    const socket = await connectSocket(
      context.engine.url,
      { tenant: tenant.code, apiKey: tenant.publishableKey },
      { origin },
    );
    context.sockets.push(socket);
    return socket;
  }

  async function staff(context: Context, tenant: TestTenant) {
    const login = await context.engine.api("POST", "/api/v1/auth/login", {
      body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
    });
    assert.is(login.status, 200);
    const socket = await connectSocket(context.engine.url, { token: login.body.token });
    context.sockets.push(socket);
    return socket;
  }

  const remainingAt = (push: { slots: { start: string; remaining: number }[] }, start: string) =>
    push.slots.find((slot) => slot.start === start)?.remaining;

  live(
    "a REST booking reaches a subscriber with the next version and the slot gone",
    async (context) => {
      const { engine } = context;
      const tenant = await signUpTenant(engine, nextCode("push"));
      const offer = await createOffer(engine, tenant);
      const socket = await viewer(context, tenant);
      const ack = await socket.call("subscribe", { calendarId: offer.calendarId });
      assert.is(ack.ok, true);
      assert.is(ack.serviceId, offer.serviceId);
      const start = slotAt("10:00");
      assert.ok((ack.slots as { start: string }[]).some((slot) => slot.start === start));

      const made = await engine.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, start),
      });
      assert.is(made.status, 201);
      const push = await socket.nextPush((p) => p.version === (ack.version as number) + 1);
      assert.is(push.calendarId, offer.calendarId);
      assert.is(push.serviceId, offer.serviceId);
      assert.is(remainingAt(push, start), 0);
      assert.not.ok(JSON.stringify(push).includes("c0@example.org"), "no customer data in a push");
    },
  );

  live(
    "a hold shows one seat fewer to every other viewer at once, and returns on release",
    async (context) => {
      const { engine } = context;
      const tenant = await signUpTenant(engine, nextCode("seats"));
      const offer = await createOffer(engine, tenant, { capacity: 3 });
      const holder = await viewer(context, tenant);
      const other = await viewer(context, tenant);
      const ack = await other.call("subscribe", {
        calendarId: offer.calendarId,
        serviceId: offer.serviceId,
      });
      const start = slotAt("11:00");

      const held = await holder.call("hold", {
        calendarId: offer.calendarId,
        serviceId: offer.serviceId,
        start,
      });
      assert.is(held.ok, true);
      const hold = held.hold as { id: string };
      const taken = await other.nextPush((p) => p.version === (ack.version as number) + 1);
      assert.is(remainingAt(taken, start), 2);

      const released = await holder.call("release", { holdId: hold.id });
      assert.is(released.ok, true);
      const back = await other.nextPush((p) => p.version === (ack.version as number) + 2);
      assert.is(remainingAt(back, start), 3);
      const [row] = await rowsOf(engine, "holds", { id: hold.id });
      assert.is(row.status, "released");
    },
  );

  live(
    "a socket's hold is released once the socket has been gone longer than the grace",
    async (context) => {
      const { engine } = context;
      const tenant = await signUpTenant(engine, nextCode("grace"));
      const offer = await createOffer(engine, tenant);
      const holder = await viewer(context, tenant);
      const other = await viewer(context, tenant);
      await other.call("subscribe", { calendarId: offer.calendarId });
      const start = slotAt("12:00");
      const held = await holder.call("hold", {
        calendarId: offer.calendarId,
        serviceId: offer.serviceId,
        start,
      });
      const hold = held.hold as { id: string; expiresAt: string };
      await other.nextPush((p) => remainingAt(p, start) === 0);

      const leftAt = Date.now();
      holder.close();
      const back = await other.nextPush((p) => remainingAt(p, start) === 1, graceMs + 3000);
      const gone = Date.now() - leftAt;
      assert.ok(gone >= graceMs - 50, `released after ${gone} ms, before the ${graceMs} ms grace`);
      assert.ok(Date.parse(hold.expiresAt) - Date.now() > 60_000, "its TTL had minutes left");
      assert.ok(back.version > 0);
      const [row] = await rowsOf(engine, "holds", { id: hold.id });
      assert.is(row.status, "expired");
    },
  );

  live("a hold made without a socket keeps its TTL whatever sockets do", async (context) => {
    const { engine } = context;
    const tenant = await signUpTenant(engine, nextCode("ttl"));
    const offer = await createOffer(engine, tenant);
    const start = slotAt("13:00");
    const made = await engine.api("POST", "/api/v1/holds", {
      token: tenant.secretKey,
      body: { calendarId: offer.calendarId, serviceId: offer.serviceId, start },
    });
    assert.is(made.status, 201);
    const socket = await viewer(context, tenant);
    await socket.call("subscribe", { calendarId: offer.calendarId });
    socket.close();
    await sleep(graceMs + 300);
    const [row] = await rowsOf(engine, "holds", { id: made.body.id });
    assert.is(row.status, "active");
    assert.is(Number(row.expires_at_ms), Date.parse(made.body.expiresAt));
  });

  live(
    "a dropped connection recovers: missed pushes arrive and its hold runs to its TTL again",
    async (context) => {
      const { engine } = context;
      const tenant = await signUpTenant(engine, nextCode("recover"));
      const offer = await createOffer(engine, tenant);
      const socket = await viewer(context, tenant);
      const ack = await socket.call("subscribe", { calendarId: offer.calendarId });
      const holdStart = slotAt("14:00");
      const held = await socket.call("hold", {
        calendarId: offer.calendarId,
        serviceId: offer.serviceId,
        start: holdStart,
      });
      const hold = held.hold as { id: string; expiresAt: string };
      await socket.nextPush((p) => p.version === (ack.version as number) + 1);

      const reconnected = new Promise<void>((resolve) =>
        socket.socket.once("connect", () => resolve()),
      );
      socket.socket.io.engine.close();
      const missedStart = slotAt("15:00");
      const made = await engine.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, missedStart),
      });
      assert.is(made.status, 201);
      await reconnected;
      assert.is(socket.socket.recovered, true, "the session was recovered");
      const missed = await socket.nextPush((p) => p.version === (ack.version as number) + 2);
      assert.is(remainingAt(missed, missedStart), 0);

      await sleep(graceMs + 400);
      const [row] = await rowsOf(engine, "holds", { id: hold.id });
      assert.is(row.status, "active", "the hold survived its socket's short absence");
      assert.is(Number(row.expires_at_ms), Date.parse(hold.expiresAt));
    },
  );

  live(
    "versions come one by one under concurrent changes; a missed stretch shows as a gap",
    async (context) => {
      const { engine } = context;
      const tenant = await signUpTenant(engine, nextCode("versions"));
      const offer = await createOffer(engine, tenant, { capacity: 2 });
      const socket = await viewer(context, tenant);
      const ack = await socket.call("subscribe", { calendarId: offer.calendarId });
      const first = ack.version as number;
      const times = ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30"];
      const answers = await Promise.all(
        times.flatMap((time, i) =>
          [0, 1, 2].map((n) =>
            engine.api("POST", "/api/v1/bookings", {
              token: tenant.secretKey,
              body: bookingBody(offer.calendarId, offer.serviceId, slotAt(time), i * 3 + n),
            }),
          ),
        ),
      );
      assert.is(answers.filter((answer) => answer.status === 201).length, 16);
      const state = await engine.api(
        "GET",
        `/api/v1/calendars/${offer.calendarId}/availability?serviceId=${offer.serviceId}`,
        { token: tenant.secretKey },
      );
      const last = state.body.version as number;
      await socket.nextPush((p) => p.version === last);
      const versions = socket.pushes.map((push) => push.version);
      assert.equal(
        versions,
        Array.from({ length: last - first }, (_, i) => first + 1 + i),
        "every version once, in order",
      );
      for (const time of times) {
        const latest = socket.pushes
          .filter((p) => remainingAt(p, slotAt(time)) !== undefined)
          .at(-1);
        assert.is(latest && remainingAt(latest, slotAt(time)), 0, `${time} shows as full`);
      }

      socket.close();
      await engine.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, slotAt("13:00")),
      });
      const again = await viewer(context, tenant);
      const fresh = await again.call("subscribe", { calendarId: offer.calendarId });
      assert.is(fresh.version, last + 1, "the new subscription starts past the missed version");
    },
  );

  live("a change of the calendar's hours tells every viewer to fetch again", async (context) => {
    const { engine } = context;
    const tenant = await signUpTenant(engine, nextCode("hours"));
    const offer = await createOffer(engine, tenant);
    const socket = await viewer(context, tenant);
    const ack = await socket.call("subscribe", { calendarId: offer.calendarId });
    const changed = await engine.api("PATCH", `/api/v1/calendars/${offer.calendarId}`, {
      token: tenant.secretKey,
      body: { slotIntervalMinutes: 15 },
    });
    assert.is(changed.status, 200);
    const push = await socket.nextPush((p) => p.reset === true);
    assert.ok(push.version > (ack.version as number));
  });

  live(
    "staff sockets get bookings with customers; publishable ones and other tenants nothing",
    async (context) => {
      const { engine } = context;
      const a = await signUpTenant(engine, nextCode("tenant-a"));
      const b = await signUpTenant(engine, nextCode("tenant-b"));
      const offerA = await createOffer(engine, a);
      const offerB = await createOffer(engine, b);
      const staffA = await staff(context, a);
      const staffB = await staff(context, b);
      const viewerA = await viewer(context, a);
      const viewerB = await viewer(context, b);
      await viewerA.call("subscribe", { calendarId: offerA.calendarId });
      await viewerB.call("subscribe", { calendarId: offerB.calendarId });
      await staffB.call("subscribe", { calendarId: offerB.calendarId });

      const intruding = await viewerB.call("subscribe", { calendarId: offerA.calendarId });
      assert.is(intruding.ok, false);
      assert.is((intruding.error as { code: string }).code, "not_found");
      const intrudingStaff = await staffB.call("subscribe", { calendarId: offerA.calendarId });
      assert.is((intrudingStaff.error as { code: string }).code, "not_found");

      const start = slotAt("16:00");
      const made = await engine.api("POST", "/api/v1/bookings", {
        token: a.secretKey,
        body: bookingBody(offerA.calendarId, offerA.serviceId, start, 7),
      });
      assert.is(made.status, 201);
      const event = await staffA.nextStaffEvent((e) => e.name === "booking");
      assert.is(event.payload.type, "booking.created");
      const booking = event.payload.booking as { id: string; customer: { email: string } };
      assert.is(booking.id, made.body.id);
      assert.is(booking.customer.email, "c7@example.org");
      await viewerA.nextPush((p) => remainingAt(p, start) === 0);

      const cancelled = await engine.api("POST", `/api/v1/bookings/${made.body.id}/cancel`, {
        token: a.secretKey,
      });
      assert.is(cancelled.status, 200);
      await staffA.nextStaffEvent((e) => e.payload.type === "booking.cancelled");
      await viewerA.nextPush((p) => remainingAt(p, start) === 1);
      await sleep(100);
      assert.equal(viewerA.staffEvents, [], "a publishable socket gets no staff events");
      assert.equal(staffB.staffEvents, [], "tenant B's staff hear nothing of tenant A");
      assert.equal(viewerB.pushes, [], "tenant B's viewers hear nothing of tenant A");
      assert.equal(staffB.pushes, []);
    },
  );

  live(
    "handshakes: unknown keys, wrong tenants and disallowed origins are refused",
    async (context) => {
      const { engine } = context;
      const a = await signUpTenant(engine, nextCode("auth-a"));
      const b = await signUpTenant(engine, nextCode("auth-b"));
      const url = engine.url;
      assert.is((await refusal(url, {})).code, "unauthenticated");
      assert.is(
        (await refusal(url, { tenant: a.code, apiKey: "pk_test_unknown" })).code,
        "invalid_credentials",
      );
      const crossed = await refusal(url, { tenant: b.code, apiKey: a.publishableKey });
      assert.is(crossed.code, "tenant_mismatch");
      const secret = await refusal(url, { tenant: a.code, apiKey: a.secretKey });
      assert.is(secret.code, "insufficient_scope");

      const key = await engine.api("POST", "/api/v1/keys", {
        token: a.secretKey,
        body: { kind: "publishable", allowedOrigins: ["https://clinic.example.org"] },
      });
      assert.is(key.status, 201);
      const auth = { tenant: a.code, apiKey: key.body.key as string };
      assert.is((await refusal(url, auth, "https://elsewhere.example.org")).code, "forbidden");
      assert.is((await refusal(url, auth, "https://clinic.example.or")).code, "forbidden");
      const allowed = await connectSocket(url, auth, { origin: "https://clinic.example.org" });
      context.sockets.push(allowed);
      assert.ok(allowed.socket.connected);
    },
  );

  live(
    "bad socket input gets a clear error in the acknowledgement and changes nothing",
    async (context) => {
      const { engine } = context;
      const tenant = await signUpTenant(engine, nextCode("bad"));
      const offer = await createOffer(engine, tenant);
      const socket = await viewer(context, tenant);
      const notObject = await socket.call("subscribe", "cal_x");
      assert.is((notObject.error as { code: string }).code, "malformed_request");
      const badId = await socket.call("subscribe", { calendarId: "nope" });
      assert.is((badId.error as { code: string }).code, "invalid_input");
      const offGrid = await socket.call("hold", {
        calendarId: offer.calendarId,
        serviceId: offer.serviceId,
        start: slotAt("10:07"),
      });
      assert.is(offGrid.ok, false);
      const unknownHold = await socket.call("release", { holdId: "hld_unknown" });
      assert.is((unknownHold.error as { code: string }).code, "not_found");
      assert.equal(await rowsOf(engine, "holds", { calendar_id: offer.calendarId }), []);
    },
  );

  live.run();
}
