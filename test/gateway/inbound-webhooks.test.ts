import { createHmac } from "node:crypto";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type ApiAnswer,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { snapshotTables } from "../support/table-snapshot.js";
import { knexOf } from "../../src/engine/knex-access.js";
import { requestCounts } from "../../src/gateway/http/protocol.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

/** A webhook source as its creator got it: id and the secret shown once. */
interface TestSource {
  id: string;
  secret: string;
}

/** How an outside system signs: HMAC-SHA-256 of "<t>.<raw body>", hex, in VBWD-Signature. */
function signatureFor(secret: string, body: string, t = Math.floor(Date.now() / 1000)): string {
  const v1 = createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
  return `t=${t},v1=${v1}`;
}

/** Posts an event to a source, signed with `secret` unless `signature` says otherwise. */
function deliver(
  engine: TestEngine,
  source: TestSource,
  event: unknown,
  options: { signature?: string | null; rawBody?: string } = {},
): Promise<ApiAnswer> {
  const rawBody = options.rawBody ?? JSON.stringify(event);
  const signature =
    options.signature === undefined ? signatureFor(source.secret, rawBody) : options.signature;
  const headers: Record<string, string> = signature === null ? {} : { "vbwd-signature": signature };
  return engine.api("POST", `/webhooks/in/${source.id}`, { rawBody, headers });
}

async function createSource(
  engine: TestEngine,
  tenant: TestTenant,
  body: Record<string, unknown> = {},
): Promise<TestSource> {
  const answer = await engine.api("POST", "/api/v1/webhook-sources", {
    token: tenant.secretKey,
    body: { name: "Partner CRM", ...body },
  });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  return { id: answer.body.id, secret: answer.body.secret };
}

let codes = 0;
const nextCode = (name: string) => `${name}-${++codes}`;
let events = 0;
const nextEventId = () => `evt_${Date.now()}_${++events}`;

for (const dialect of dialectsUnderTest()) {
  const webhooks = suite<Context>(`gateway: inbound webhooks (${dialect.name})`);

  webhooks.before(async (context) => {
    context.scratch = await dialect.create("inbound_webhooks");
    context.engine = await startTestEngine(context.scratch.target);
  });

  webhooks.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  webhooks("creating a source shows its secret once; listing never does", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("manage"));
    const created = await engine.api("POST", "/api/v1/webhook-sources", {
      token: tenant.secretKey,
      body: { name: "Partner CRM", allowedEventTypes: ["booking.create"], toleranceSeconds: 120 },
    });
    assert.is(created.status, 201);
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.is(created.body.url, `/webhooks/in/${created.body.id}`);
    assert.equal(created.body.allowedEventTypes, ["booking.create"]);
    assert.is(created.body.toleranceSeconds, 120);
    assert.ok(created.body.secret.startsWith(created.body.secretPrefix));

    const listed = await engine.api("GET", "/api/v1/webhook-sources", { token: tenant.secretKey });
    assert.is(listed.status, 200);
    assert.is(listed.body.data.length, 1);
    assert.is(listed.body.data[0].id, created.body.id);
    assert.not.ok("secret" in listed.body.data[0]);
    assert.not.match(JSON.stringify(listed.body), created.body.secret);

    const [row] = await rowsOf(engine, "webhook_sources", { id: created.body.id });
    assert.not.match(JSON.stringify(row), created.body.secret.slice(6), "stored in plain text");

    const login = await engine.api("POST", "/api/v1/auth/login", {
      body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
    });
    const asOwner = await engine.api("GET", "/api/v1/webhook-sources", {
      token: login.body.token,
    });
    assert.is(asOwner.status, 200);
    assert.is(asOwner.body.data[0].id, created.body.id);

    const publishable = await engine.api("GET", "/api/v1/webhook-sources", {
      token: tenant.publishableKey,
    });
    assert.is(publishable.status, 403);
  });

  webhooks("a signed booking.create books; its replay books nothing new", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("book"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const source = await createSource(engine, tenant);
    const event = {
      id: nextEventId(),
      type: "booking.create",
      data: bookingBody(calendarId, serviceId, slotAt("10:00")),
    };

    const first = await deliver(engine, source, event);
    assert.is(first.status, 201, JSON.stringify(first.body));
    assert.is(first.body.status, "confirmed");
    const stored = await rowsOf(engine, "bookings", { calendar_id: calendarId });
    assert.equal(
      stored.map((row: { id: string }) => row.id),
      [first.body.id],
    );
    const [recorded] = await rowsOf(engine, "inbound_events", { source_id: source.id });
    assert.is(recorded.status, "applied");
    assert.is(recorded.result_id, first.body.id);
    assert.is(recorded.tenant_id, tenant.id);

    const before = await snapshotTables(engine.engine.services.db);
    const replay = await deliver(engine, source, event);
    assert.is(replay.status, 200);
    assert.is(replay.body.duplicate, true);
    assert.is(replay.body.event.id, event.id);
    assert.is(replay.body.event.status, "applied");
    assert.is(replay.body.event.resultId, first.body.id);
    assert.is(await snapshotTables(engine.engine.services.db), before, "a replay wrote");
    assert.is(requestCounts().get(tenant.id)?.get("webhook"), 2, "counted as webhook calls");
  });

  webhooks("booking.cancel and booking.reschedule change the booking", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("cancel"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const source = await createSource(engine, tenant);
    const booked = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, slotAt("11:00")),
    });
    assert.is(booked.status, 201);

    const moved = await deliver(engine, source, {
      id: nextEventId(),
      type: "booking.reschedule",
      data: { id: booked.body.id, start: slotAt("12:00") },
    });
    assert.is(moved.status, 200, JSON.stringify(moved.body));
    assert.is(moved.body.start, slotAt("12:00"));

    const cancelled = await deliver(engine, source, {
      id: nextEventId(),
      type: "booking.cancel",
      data: { id: booked.body.id },
    });
    assert.is(cancelled.status, 200);
    assert.is(cancelled.body.status, "cancelled");
    const [row] = await rowsOf(engine, "bookings", { id: booked.body.id });
    assert.is(row.status, "cancelled");
  });

  webhooks("hold.create then hold.release", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("hold"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const source = await createSource(engine, tenant);
    const held = await deliver(engine, source, {
      id: nextEventId(),
      type: "hold.create",
      data: { calendarId, serviceId, start: slotAt("09:00") },
    });
    assert.is(held.status, 201, JSON.stringify(held.body));
    const released = await deliver(engine, source, {
      id: nextEventId(),
      type: "hold.release",
      data: { id: held.body.id },
    });
    assert.is(released.status, 200);
    assert.is(released.body.status, "released");
  });

  webhooks("20 concurrent deliveries of one event make exactly one booking", async (context) => {
    const { engine } = context;
    const tenant = await signUpTenant(engine, nextCode("race"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const source = await createSource(engine, tenant);
    const event = {
      id: nextEventId(),
      type: "booking.create",
      data: bookingBody(calendarId, serviceId, slotAt("14:00")),
    };
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => deliver(engine, source, event)),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.is(statuses.filter((status) => status === 201).length, 1, String(statuses));
    assert.is(statuses.filter((status) => status === 200).length, 19, String(statuses));
    const bookingId = answers.find((answer) => answer.status === 201)!.body.id;
    for (const answer of answers.filter((a) => a.status === 200)) {
      assert.is(answer.body.duplicate, true);
      assert.is(answer.body.event.resultId, bookingId);
    }
    assert.is((await rowsOf(engine, "bookings", { calendar_id: calendarId })).length, 1);
    assert.is((await rowsOf(engine, "inbound_events", { source_id: source.id })).length, 1);
  });

  webhooks(
    "a claim left unsettled by a stopped node is taken over by a redelivery",
    async (ctx) => {
      const { engine } = ctx;
      const tenant = await signUpTenant(engine, nextCode("stale"));
      const { calendarId, serviceId } = await createOffer(engine, tenant);
      const source = await createSource(engine, tenant);
      const event = {
        id: nextEventId(),
        type: "booking.create",
        data: bookingBody(calendarId, serviceId, slotAt("13:00")),
      };
      const claim = {
        id: "whe_stalestalestale",
        tenant_id: tenant.id,
        source_id: source.id,
        event_id: event.id,
        type: event.type,
        status: "processing",
        received_at: new Date(Date.now() - 120_000),
      };
      await knexOf(engine.engine.services.db)("inbound_events").insert(claim);

      const answer = await deliver(engine, source, event);
      assert.is(answer.status, 201, JSON.stringify(answer.body));
      const [row] = await rowsOf(engine, "inbound_events", { id: claim.id });
      assert.is(row.status, "applied");
      assert.is(row.result_id, answer.body.id);
    },
  );

  webhooks("a refused command is recorded, and its replay answers the refusal", async (ctx) => {
    const { engine } = ctx;
    const tenant = await signUpTenant(engine, nextCode("refused"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const source = await createSource(engine, tenant);
    const start = slotAt("15:00");
    const taken = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, start),
    });
    assert.is(taken.status, 201);

    const event = {
      id: nextEventId(),
      type: "booking.create",
      data: bookingBody(calendarId, serviceId, start, 2),
    };
    const refused = await deliver(engine, source, event);
    assert.is(refused.status, 409);
    assert.is(refused.body.error.code, "slot_unavailable");
    const replay = await deliver(engine, source, event);
    assert.is(replay.status, 200);
    assert.is(replay.body.event.status, "refused");
    assert.is(replay.body.event.errorCode, "slot_unavailable");

    const invalid = await deliver(engine, source, {
      id: nextEventId(),
      type: "booking.create",
      data: { calendarId },
    });
    assert.is(invalid.status, 422);
    assert.is(invalid.body.error.code, "invalid_input");
  });

  webhooks("bad deliveries get their 4xx and change nothing", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("bad"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const source = await createSource(engine, tenant);
    const cancelOnly = await createSource(engine, tenant, {
      allowedEventTypes: ["booking.cancel"],
    });
    const event = {
      id: nextEventId(),
      type: "booking.create",
      data: bookingBody(calendarId, serviceId, slotAt("16:00")),
    };
    const body = JSON.stringify(event);
    const stale = Math.floor(Date.now() / 1000) - 301;
    const otherSecret = "whsec_not_the_right_secret_at_all_0123456789abc";
    const cases: [string, () => Promise<ApiAnswer>, number, string][] = [
      [
        "a stale timestamp",
        () =>
          deliver(engine, source, event, { signature: signatureFor(source.secret, body, stale) }),
        401,
        "signature_expired",
      ],
      [
        "a future timestamp",
        () =>
          deliver(engine, source, event, {
            signature: signatureFor(source.secret, body, stale + 1000),
          }),
        401,
        "signature_expired",
      ],
      [
        "the wrong secret",
        () => deliver(engine, source, event, { signature: signatureFor(otherSecret, body) }),
        401,
        "invalid_signature",
      ],
      [
        "a tampered body",
        () =>
          deliver(engine, source, event, {
            signature: signatureFor(source.secret, body),
            rawBody: body.replace("16:00", "16:30"),
          }),
        401,
        "invalid_signature",
      ],
      [
        "no signature header",
        () => deliver(engine, source, event, { signature: null }),
        401,
        "invalid_signature",
      ],
      [
        "an unreadable signature header",
        () => deliver(engine, source, event, { signature: "sha256=abc" }),
        401,
        "invalid_signature",
      ],
      [
        "an unknown source",
        () => deliver(engine, { id: "whs_nosuchsource", secret: source.secret }, event),
        404,
        "not_found",
      ],
      [
        "malformed JSON, correctly signed",
        () => deliver(engine, source, event, { rawBody: '{"id": "x",' }),
        400,
        "malformed_request",
      ],
      [
        "an unknown event type",
        () => deliver(engine, source, { ...event, type: "booking.delete" }),
        422,
        "invalid_input",
      ],
      [
        "a type the source may not send",
        () => deliver(engine, cancelOnly, event),
        422,
        "event_type_not_allowed",
      ],
    ];

    const before = await snapshotTables(engine.engine.services.db);
    for (const [name, send, status, code] of cases) {
      const answer = await send();
      assert.is(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
      assert.is(answer.body.error.code, code, name);
    }
    assert.is(await snapshotTables(engine.engine.services.db), before, "a bad delivery wrote");

    const good = await deliver(engine, source, event);
    assert.is(good.status, 201, "the same event, properly signed, still applies");
  });

  webhooks("a source of one tenant cannot act on another's calendars", async ({ engine }) => {
    const owner = await signUpTenant(engine, nextCode("victim"));
    const offer = await createOffer(engine, owner);
    const booked = await engine.api("POST", "/api/v1/bookings", {
      token: owner.secretKey,
      body: bookingBody(offer.calendarId, offer.serviceId, slotAt("10:00")),
    });
    assert.is(booked.status, 201);
    const intruder = await signUpTenant(engine, nextCode("intruder"));
    const source = await createSource(engine, intruder);

    const book = await deliver(engine, source, {
      id: nextEventId(),
      type: "booking.create",
      data: bookingBody(offer.calendarId, offer.serviceId, slotAt("11:00")),
    });
    assert.is(book.status, 404, JSON.stringify(book.body));
    const cancel = await deliver(engine, source, {
      id: nextEventId(),
      type: "booking.cancel",
      data: { id: booked.body.id },
    });
    assert.is(cancel.status, 404);
    const [row] = await rowsOf(engine, "bookings", { id: booked.body.id });
    assert.is(row.status, "confirmed");
    assert.is((await rowsOf(engine, "bookings", { calendar_id: offer.calendarId })).length, 1);
    const recorded = await rowsOf(engine, "inbound_events", { source_id: source.id });
    assert.ok(recorded.every((event: { tenant_id: string }) => event.tenant_id === intruder.id));

    const foreign = await engine.api("DELETE", `/api/v1/webhook-sources/${source.id}`, {
      token: owner.secretKey,
    });
    assert.is(foreign.status, 404, "another tenant's source is not found");
  });

  webhooks("deactivated and deleted sources answer 404", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("gone"));
    const source = await createSource(engine, tenant);
    const event = { id: nextEventId(), type: "booking.cancel", data: { id: "bkg_none" } };
    assert.is((await deliver(engine, source, event)).status, 404, "the booking is unknown");

    const off = await engine.api("PATCH", `/api/v1/webhook-sources/${source.id}`, {
      token: tenant.secretKey,
      body: { active: false },
    });
    assert.is(off.status, 200);
    assert.is(off.body.active, false);
    const whileOff = await deliver(engine, source, { ...event, id: nextEventId() });
    assert.is(whileOff.status, 404);
    assert.match(whileOff.body.error.message, /webhook source/);

    const removed = await engine.api("DELETE", `/api/v1/webhook-sources/${source.id}`, {
      token: tenant.secretKey,
    });
    assert.is(removed.status, 200);
    assert.is((await rowsOf(engine, "inbound_events", { source_id: source.id })).length, 0);
    const listed = await engine.api("GET", "/api/v1/webhook-sources", { token: tenant.secretKey });
    assert.equal(listed.body.data, []);
    const afterDelete = await deliver(engine, source, { ...event, id: nextEventId() });
    assert.is(afterDelete.status, 404);
    assert.is(afterDelete.body.error.code, "not_found");
  });

  webhooks("a rotated secret signs at once; the old one only within its grace", async (ctx) => {
    const { engine } = ctx;
    const tenant = await signUpTenant(engine, nextCode("rotate"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const source = await createSource(engine, tenant);
    const rotate = (graceSeconds: number) =>
      engine.api("POST", `/api/v1/webhook-sources/${source.id}/rotate-secret`, {
        token: tenant.secretKey,
        body: { graceSeconds },
      });
    const hold = (time: string) => ({
      id: nextEventId(),
      type: "hold.create",
      data: { calendarId, serviceId, start: slotAt(time) },
    });

    const rotated = await rotate(600);
    assert.is(rotated.status, 200);
    assert.is.not(rotated.body.secret, source.secret);
    const fresh = { id: source.id, secret: rotated.body.secret as string };
    assert.is((await deliver(engine, fresh, hold("09:00"))).status, 201);
    assert.is((await deliver(engine, source, hold("09:30"))).status, 201, "old within grace");

    // A sender may sign with both while it switches: either v1 matching is enough.
    const both = hold("10:00");
    const raw = JSON.stringify(both);
    const t = Math.floor(Date.now() / 1000);
    const signature = `${signatureFor("whsec_wrong", raw, t)},v1=${signatureFor(fresh.secret, raw, t).split("v1=")[1]}`;
    assert.is((await deliver(engine, fresh, both, { signature })).status, 201);

    const again = await rotate(0);
    const newest = { id: source.id, secret: again.body.secret as string };
    assert.is((await deliver(engine, fresh, hold("10:30"))).status, 401, "no grace asked");
    assert.is((await deliver(engine, newest, hold("11:00"))).status, 201);
  });

  webhooks("the API document describes the receiving endpoint and its body", async (ctx) => {
    const { body } = await ctx.engine.api("GET", "/openapi.json");
    const receive = body.paths["/webhooks/in/{sourceId}"].post;
    assert.is(receive.operationId, "webhooks.receive");
    assert.equal(receive.security, []);
    assert.match(receive.summary, /VBWD-Signature/);
    const schema = receive.requestBody.content["application/json"].schema;
    assert.equal(Object.keys(schema.properties), ["id", "type", "data"]);
    assert.ok(schema.properties.type.enum.includes("booking.cancel"));
    assert.ok(body.paths["/api/v1/webhook-sources"].post.responses["201"]);
  });

  webhooks.run();
}
