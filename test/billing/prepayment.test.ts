import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { refundDue } from "../../src/domain/payments.js";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { startStripeStandIn, type StripeStandIn } from "../support/stripe-stand-in.js";

const webhookSecret = "whsec_testprepayment0123456789";
const customer = { name: "Pat Payer", email: "pat@example.org" };

const policy = suite("billing: refund policy");

policy("full gives everything back, none nothing, cutoff only early enough", () => {
  const start = Date.parse("2030-01-10T10:00:00Z");
  const hours = (n: number) => start - n * 3_600_000;
  assert.is(refundDue({ policy: "full", cutoffHours: 24 }, 4000, start, hours(1)), 4000);
  assert.is(refundDue({ policy: "none", cutoffHours: 24 }, 4000, start, hours(100)), 0);
  assert.is(refundDue({ policy: "cutoff", cutoffHours: 24 }, 4000, start, hours(24)), 4000);
  assert.is(refundDue({ policy: "cutoff", cutoffHours: 24 }, 4000, start, hours(23)), 0);
});

policy.run();

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  stripe: StripeStandIn;
  a: TestTenant;
  b: TestTenant;
  calendarId: string;
  /** Paid in advance (40.00 EUR). */
  prepaid: string;
  /** Priced, but paid on the day. */
  plain: string;
}

/** Delivers an event as Stripe would: the JSON body signed with the endpoint's secret. */
function deliver(engine: TestEngine, type: string, object: object, id = newEventId()) {
  const event = {
    id,
    object: "event",
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    type,
    data: { object },
  };
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
  return engine.api("POST", "/webhooks/stripe", {
    rawBody: payload,
    headers: { "stripe-signature": header },
  });
}

const newEventId = () => `evt_test_${randomBytes(8).toString("hex")}`;

function hold(context: Context, start: string, serviceId = context.prepaid) {
  const { engine, a, calendarId } = context;
  return engine.api("POST", `/v1/widget/${a.code}/holds`, {
    token: a.publishableKey,
    body: { calendarId, serviceId, start },
  });
}

function checkout(context: Context, holdId: string, tenant = context.a) {
  return context.engine.api("POST", `/v1/widget/${tenant.code}/holds/${holdId}/checkout`, {
    token: tenant.publishableKey,
    body: { customer, successUrl: "https://shop.example.org/paid" },
  });
}

/** The session Stripe would send back in events: what the engine asked for, now paid. */
function paidSession(context: Context, sessionId: string, status = "complete") {
  return {
    id: sessionId,
    object: "checkout.session",
    mode: "payment",
    status,
    payment_status: status === "complete" ? "paid" : "unpaid",
    payment_intent: `pi_test_${sessionId.slice(-10)}`,
    metadata: sessionMetadata(context, sessionId),
  };
}

/** The metadata the engine gave the session with this id. */
function sessionMetadata(context: Context, sessionId: string): Record<string, string> {
  const index = sessionIds.indexOf(sessionId);
  const call = context.stripe.callsTo("POST", "/v1/checkout/sessions")[index];
  if (!call) throw new Error(`no session ${sessionId}`);
  return call.params["metadata"] as Record<string, string>;
}

/** Session ids in the order the engine opened them on this dialect's stand-in. */
const sessionIds: string[] = [];

/** Holds a slot, opens its checkout, and has Stripe report it paid: the booking's id. */
async function paidBooking(context: Context, start: string): Promise<string> {
  const held = await hold(context, start);
  assert.is(held.status, 201, JSON.stringify(held.body));
  const opened = await checkout(context, held.body.id);
  assert.is(opened.status, 201, JSON.stringify(opened.body));
  sessionIds.push(opened.body.sessionId);
  const done = await deliver(
    context.engine,
    "checkout.session.completed",
    paidSession(context, opened.body.sessionId),
  );
  assert.is(done.status, 200, JSON.stringify(done.body));
  const [payment] = await rowsOf(context.engine, "booking_payments", {
    checkout_session_id: opened.body.sessionId,
  });
  assert.is(payment.status, "paid");
  return payment.booking_id as string;
}

function cancel(context: Context, bookingId: string) {
  return context.engine.api("POST", `/api/v1/bookings/${bookingId}/cancel`, {
    token: context.a.secretKey,
  });
}

function setRefundPolicy(context: Context, body: object) {
  return context.engine.api("PATCH", "/api/v1/tenant", { token: context.a.secretKey, body });
}

for (const dialect of dialectsUnderTest()) {
  const prepay = suite<Context>(`billing: booking prepayment (${dialect.name})`);

  prepay.before(async (context) => {
    context.stripe = await startStripeStandIn();
    sessionIds.length = 0;
    context.scratch = await dialect.create("prepay");
    context.engine = await startTestEngine(context.scratch.target, {
      STRIPE_SECRET_KEY: "sk_test_prepayment0123456789",
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: context.stripe.url,
    });
    context.a = await signUpTenant(context.engine, "prepay-a");
    context.b = await signUpTenant(context.engine, "prepay-b");
    const offer = await createOffer(context.engine, context.a);
    context.calendarId = offer.calendarId;
    context.plain = offer.serviceId;
    const service = await context.engine.api("POST", "/api/v1/services", {
      token: context.a.secretKey,
      body: {
        calendarIds: [offer.calendarId],
        name: "Paid consultation",
        durationMinutes: 30,
        priceCents: 4000,
        requiresPrepayment: true,
      },
    });
    assert.is(service.status, 201, JSON.stringify(service.body));
    assert.is(service.body.requiresPrepayment, true);
    context.prepaid = service.body.id;
  });

  prepay.after(async ({ engine, scratch, stripe }) => {
    await engine?.stop();
    await scratch?.drop();
    await stripe?.stop();
  });

  prepay("a free service cannot require prepayment (422, nothing changes)", async (context) => {
    const { engine, a } = context;
    const free = await engine.api("POST", "/api/v1/services", {
      token: a.secretKey,
      body: {
        calendarIds: [context.calendarId],
        name: "Free chat",
        durationMinutes: 30,
        requiresPrepayment: true,
      },
    });
    assert.is(free.status, 422);
    assert.is(free.body.error.code, "invalid_input");
    const zeroed = await engine.api("PATCH", `/api/v1/services/${context.prepaid}`, {
      token: a.secretKey,
      body: { priceCents: 0 },
    });
    assert.is(zeroed.status, 422);
    const still = await engine.api("GET", `/api/v1/services/${context.prepaid}`, {
      token: a.secretKey,
    });
    assert.is(still.body.priceCents, 4000);
    assert.is(still.body.requiresPrepayment, true);
  });

  prepay("booking a prepaid service without paying is refused with 402", async (context) => {
    const { engine, a, calendarId, prepaid } = context;
    const direct = await engine.api("POST", "/api/v1/bookings", {
      token: a.secretKey,
      body: bookingBody(calendarId, prepaid, slotAt("09:00")),
    });
    assert.is(direct.status, 402);
    assert.is(direct.body.error.code, "payment_required");
    const held = await hold(context, slotAt("09:00"));
    const viaHold = await engine.api("POST", `/v1/widget/${a.code}/bookings`, {
      token: a.publishableKey,
      body: { ...bookingBody(calendarId, prepaid, slotAt("09:00")), holdId: held.body.id },
    });
    assert.is(viaHold.status, 402);
    assert.equal(await rowsOf(engine, "bookings", { service_id: prepaid }), []);
    await engine.api("DELETE", `/v1/widget/${a.code}/holds/${held.body.id}`, {
      token: a.publishableKey,
    });
  });

  prepay("checkout opens a payment session and keeps the hold through it", async (context) => {
    const { engine, stripe, a } = context;
    const held = await hold(context, slotAt("10:00"));
    const before = stripe.callsTo("POST", "/v1/checkout/sessions").length;
    const opened = await checkout(context, held.body.id);
    assert.is(opened.status, 201, JSON.stringify(opened.body));
    sessionIds.push(opened.body.sessionId);
    assert.match(opened.body.sessionId, /^cs_/);
    assert.match(opened.body.url, /^http/);

    const call = stripe.callsTo("POST", "/v1/checkout/sessions")[before]!;
    const params = call.params as Record<string, any>;
    assert.is(params["mode"], "payment");
    assert.is(params["customer_email"], customer.email);
    assert.is(params["success_url"], "https://shop.example.org/paid");
    assert.is(params["line_items"][0].price_data.unit_amount, "4000");
    assert.is(params["line_items"][0].price_data.currency, "eur");
    assert.is(params["metadata"].kind, "booking_payment");
    assert.is(params["metadata"].tenant_id, a.id);
    assert.is(params["metadata"].hold_id, held.body.id);
    assert.is(call.idempotencyKey, `checkout-${params["metadata"].payment_id}`);
    const expiresAt = Number(params["expires_at"]) * 1000;
    assert.ok(expiresAt >= Date.now() + 29 * 60_000, "the session is open about 30 minutes");

    const holdEnds = Date.parse(opened.body.holdExpiresAt);
    assert.ok(holdEnds > expiresAt, "the hold outlasts the session");
    const [row] = await rowsOf(engine, "holds", { id: held.body.id });
    assert.is(Number(row.expires_at_ms), holdEnds);

    // The customer's socket goes when the page leaves for Stripe: the hold stays all the same.
    const detached = (await engine.engine.services.actors.ask(`calendar:${context.calendarId}`, {
      op: "detach",
      tenantId: a.id,
      holdId: held.body.id,
      graceMs: 1000,
    })) as { expiresAt: string };
    assert.is(Date.parse(detached.expiresAt), holdEnds);

    // Asking again while the session is open answers the same one.
    const again = await checkout(context, held.body.id);
    assert.is(again.status, 201);
    assert.is(again.body.sessionId, opened.body.sessionId);
    assert.is(stripe.callsTo("POST", "/v1/checkout/sessions").length, before + 1);
  });

  prepay("a paid checkout books the slot once, however often Stripe says so", async (context) => {
    const { engine, a } = context;
    const start = slotAt("11:00");
    const bookingId = await paidBooking(context, start);
    const booking = await engine.api("GET", `/api/v1/bookings/${bookingId}`, {
      token: a.secretKey,
    });
    assert.is(booking.status, 200, JSON.stringify(booking.body));
    assert.is(booking.body.status, "confirmed");
    assert.is(booking.body.customer.email, customer.email);
    assert.equal(booking.body.payment, {
      status: "paid",
      amountCents: 4000,
      currency: "EUR",
      refundedCents: 0,
    });
    const taken = await hold(context, start);
    assert.is(taken.status, 409);

    const sessionId = sessionIds.at(-1)!;
    const object = paidSession(context, sessionId);
    const eventId = newEventId();
    for (const id of [eventId, eventId, newEventId()]) {
      const again = await deliver(engine, "checkout.session.completed", object, id);
      assert.is(again.status, 200);
    }
    const bookings = await rowsOf(engine, "bookings", {
      service_id: context.prepaid,
      start_ms: Date.parse(start),
    });
    assert.is(bookings.length, 1);
    const payments = await rowsOf(engine, "booking_payments", { checkout_session_id: sessionId });
    assert.is(payments.length, 1);
    assert.is(payments[0].status, "paid");
  });

  prepay("an expired checkout frees the slot again", async (context) => {
    const { engine } = context;
    const start = slotAt("12:00");
    const held = await hold(context, start);
    const opened = await checkout(context, held.body.id);
    sessionIds.push(opened.body.sessionId);
    const expired = { ...paidSession(context, opened.body.sessionId, "expired") };
    const answer = await deliver(engine, "checkout.session.expired", expired);
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    const [payment] = await rowsOf(engine, "booking_payments", {
      checkout_session_id: opened.body.sessionId,
    });
    assert.is(payment.status, "expired");
    const [row] = await rowsOf(engine, "holds", { id: held.body.id });
    assert.is(row.status, "released");
    const again = await hold(context, start);
    assert.is(again.status, 201, "the slot is free again");

    // A completion that arrives after all for a slot someone else now holds is refunded.
    const late = await deliver(
      engine,
      "checkout.session.completed",
      paidSession(context, opened.body.sessionId),
    );
    assert.is(late.status, 200);
    const [refunded] = await rowsOf(engine, "booking_payments", { id: payment.id });
    assert.is(refunded.status, "refunded");
    assert.is(refunded.booking_id, null);
    const refunds = context.stripe.callsTo("POST", "/v1/refunds");
    assert.is(refunds.at(-1)!.idempotencyKey, `refund-${payment.id}`);
    assert.is(refunds.at(-1)!.params["amount"], "4000");
  });

  prepay(
    "checkout refuses a service paid on the day, and other tenants' holds",
    async (context) => {
      const { engine, b } = context;
      const plainHold = await hold(context, slotAt("13:00"), context.plain);
      assert.is(plainHold.status, 201);
      const refused = await checkout(context, plainHold.body.id);
      assert.is(refused.status, 409);
      assert.is(refused.body.error.code, "conflict");

      const held = await hold(context, slotAt("13:30"));
      const stranger = await checkout(context, held.body.id, b);
      assert.is(stranger.status, 404);
      assert.is(stranger.body.error.code, "not_found");
      const viaApi = await engine.api("POST", `/api/v1/holds/${held.body.id}/checkout`, {
        token: b.secretKey,
        body: { customer },
      });
      assert.is(viaApi.status, 404);
      assert.equal(await rowsOf(engine, "booking_payments", { hold_id: held.body.id }), []);

      const bad = await engine.api("POST", `/api/v1/holds/${held.body.id}/checkout`, {
        token: context.a.secretKey,
        body: { customer: { name: "X", email: "not-an-email" }, successUrl: "javascript:alert(1)" },
      });
      assert.is(bad.status, 422);
    },
  );

  prepay("cancelling refunds by the tenant's policy", async (context) => {
    const { stripe } = context;
    const refunds = () => stripe.callsTo("POST", "/v1/refunds").length;

    // full (the default): everything back, keyed by the payment.
    const full = await paidBooking(context, slotAt("14:00"));
    const before = refunds();
    const cancelled = await cancel(context, full);
    assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
    assert.is(cancelled.body.payment.status, "refunded");
    assert.is(cancelled.body.payment.refundedCents, 4000);
    assert.is(refunds(), before + 1);
    const call = stripe.callsTo("POST", "/v1/refunds").at(-1)!;
    assert.is(call.params["amount"], "4000");
    const [payment] = await rowsOf(context.engine, "booking_payments", { booking_id: full });
    assert.is(call.idempotencyKey, `refund-${payment.id}`);
    assert.is(call.params["payment_intent"], payment.payment_intent_id);
    assert.match(payment.refund_id, /^re_/);

    // none: nothing back.
    const setNone = await setRefundPolicy(context, { refundPolicy: "none" });
    assert.is(setNone.status, 200, JSON.stringify(setNone.body));
    assert.is(setNone.body.refundPolicy, "none");
    const none = await paidBooking(context, slotAt("14:30"));
    assert.is((await cancel(context, none)).body.payment.status, "paid");
    assert.is(refunds(), before + 1);

    // cutoff: the start is under 72 hours away, so nothing; with a 24-hour cutoff, all.
    await setRefundPolicy(context, { refundPolicy: "cutoff", refundCutoffHours: 72 });
    const late = await paidBooking(context, slotAt("15:00"));
    assert.is((await cancel(context, late)).body.payment.refundedCents, 0);
    assert.is(refunds(), before + 1);
    const setEarly = await setRefundPolicy(context, { refundCutoffHours: 24 });
    assert.is(setEarly.body.refundCutoffHours, 24);
    const early = await paidBooking(context, slotAt("15:30"));
    assert.is((await cancel(context, early)).body.payment.refundedCents, 4000);
    assert.is(refunds(), before + 2);

    const wrong = await setRefundPolicy(context, { refundPolicy: "sometimes" });
    assert.is(wrong.status, 422);
    await setRefundPolicy(context, { refundPolicy: "full" });
  });

  prepay.run();
}
