import { randomBytes } from "node:crypto";
import Stripe from "stripe";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { knexOf } from "../../src/engine/knex-access.js";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { startStripeStandIn, type StripeStandIn } from "../support/stripe-stand-in.js";

const webhookSecret = "whsec_testSubscriptions0123456789";
const publicUrl = "https://app.vbwd.test";

/** Event times that only go forward, so each event is newer than the last. */
let clock = Math.floor(Date.now() / 1000) - 100_000;
const nextCreated = () => (clock += 10);

interface SubscriptionFields {
  tenantId?: string;
  customer: string;
  status?: string;
  planSlug?: string;
  extraUsers?: number;
  created?: number;
}

function eventOf(type: string, object: Record<string, unknown>, created = nextCreated()) {
  return {
    id: `evt_test_${randomBytes(8).toString("hex")}`,
    object: "event",
    api_version: Stripe.API_VERSION,
    created,
    livemode: false,
    type,
    data: { object },
  };
}

function subscriptionEvent(type: string, fields: SubscriptionFields) {
  const created = fields.created ?? nextCreated();
  const metadata: Record<string, string> = {};
  if (fields.tenantId) metadata["tenant_id"] = fields.tenantId;
  if (fields.planSlug) metadata["plan_slug"] = fields.planSlug;
  if (fields.extraUsers !== undefined) metadata["extra_users"] = String(fields.extraUsers);
  const subscription = {
    id: `sub_test_${fields.customer.slice(-8)}`,
    object: "subscription",
    customer: fields.customer,
    status: fields.status ?? "active",
    metadata,
    items: {
      object: "list",
      data: [
        {
          id: "si_test_1",
          object: "subscription_item",
          current_period_end: created + 30 * 86_400,
          price: { id: "price_test_1", recurring: { interval: "month" }, metadata: {} },
        },
      ],
    },
  };
  return eventOf(type, subscription, created);
}

function invoiceEvent(type: string, customer: string, tenantId?: string) {
  return eventOf(type, {
    id: `in_test_${randomBytes(6).toString("hex")}`,
    object: "invoice",
    customer,
    amount_paid: type === "invoice.paid" ? 7900 : 0,
    parent: {
      type: "subscription_details",
      quote_details: null,
      subscription_details: {
        subscription: "sub_test_1",
        metadata: tenantId ? { tenant_id: tenantId } : {},
      },
    },
  });
}

/** Delivers an event as Stripe would: the JSON body signed with the endpoint's secret. */
function deliver(engine: TestEngine, event: object, secret = webhookSecret) {
  const payload = JSON.stringify(event);
  const header = Stripe.webhooks.generateTestHeaderString({ payload, secret });
  return engine.api("POST", "/webhooks/stripe", {
    rawBody: payload,
    headers: { "stripe-signature": header },
  });
}

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  stripe: StripeStandIn;
  a: TestTenant;
  b: TestTenant;
}

async function tenantRow(engine: TestEngine, id: string) {
  return knexOf(engine.engine.services.db)("tenants").where({ id }).first();
}

async function statusOf(engine: TestEngine, tenant: TestTenant): Promise<string> {
  return (await tenantRow(engine, tenant.id)).subscription_status;
}

/** Owners' staff tokens: staff sessions work on every plan, unlike a starter's secret key. */
const staffTokens = new Map<string, string>();

async function logInOwner(engine: TestEngine, tenant: TestTenant): Promise<void> {
  const answer = await engine.api("POST", "/api/v1/auth/login", {
    body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
  });
  if (answer.status !== 200) throw new Error(`login: ${JSON.stringify(answer.body)}`);
  staffTokens.set(tenant.id, answer.body.token);
}

const tokenOf = (tenant: TestTenant) => staffTokens.get(tenant.id) ?? tenant.secretKey;

async function checkout(engine: TestEngine, tenant: TestTenant, body: object, key?: string) {
  return engine.api("POST", "/api/v1/billing/checkout", {
    token: tokenOf(tenant),
    body,
    ...(key ? { headers: { "idempotency-key": key } } : {}),
  });
}

/** A tenant with a Stripe customer, made by its first checkout. */
async function customerOf(context: Context, tenant: TestTenant): Promise<string> {
  const row = await tenantRow(context.engine, tenant.id);
  if (row.stripe_customer_id) return row.stripe_customer_id;
  const answer = await checkout(context.engine, tenant, { planSlug: "starter", interval: "month" });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  return (await tenantRow(context.engine, tenant.id)).stripe_customer_id;
}

for (const dialect of dialectsUnderTest()) {
  const billing = suite<Context>(`billing: Stripe subscriptions (${dialect.name})`);

  billing.before(async (context) => {
    context.stripe = await startStripeStandIn();
    context.scratch = await dialect.create("billing");
    context.engine = await startTestEngine(context.scratch.target, {
      STRIPE_SECRET_KEY: "sk_test_subscriptions0123456789",
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      STRIPE_API_URL: context.stripe.url,
      PUBLIC_URL: publicUrl,
    });
    context.a = await signUpTenant(context.engine, "billing-a");
    context.b = await signUpTenant(context.engine, "billing-b");
    await logInOwner(context.engine, context.a);
    await logInOwner(context.engine, context.b);
  });

  billing.after(async ({ engine, scratch, stripe }) => {
    await engine.stop();
    await scratch.drop();
    await stripe.stop();
  });

  billing("checkout makes the customer once and a subscription session", async (context) => {
    const { engine, stripe, a } = context;
    const body = { planSlug: "professional", interval: "year", extraUsers: 2, sms: true };
    const answer = await checkout(engine, a, body, "checkout-a-1");
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    assert.match(answer.body.url, /^http/);
    assert.match(answer.body.sessionId, /^cs_/);

    const customers = stripe.callsTo("POST", "/v1/customers");
    assert.is(customers.length, 1);
    assert.equal(customers[0]!.params["metadata"], { tenant_id: a.id, tenant_code: a.code });
    assert.is(customers[0]!.idempotencyKey, `vbwd-customer-${a.id}`);
    const customerId = (await tenantRow(engine, a.id)).stripe_customer_id;
    assert.match(customerId, /^cus_/);

    const sessions = stripe.callsTo("POST", "/v1/checkout/sessions");
    assert.is(sessions.length, 1);
    const params = sessions[0]!.params as Record<string, any>;
    assert.is(params["mode"], "subscription");
    assert.is(params["customer"], customerId);
    assert.is(params["line_items"][0].price_data.unit_amount, "79000");
    assert.is(params["line_items"][0].price_data.recurring.interval, "year");
    assert.is(params["line_items"][0].price_data.product_data.name, "VBWD Professional");
    assert.is(params["line_items"][1].quantity, "2");
    assert.is(params["line_items"][1].price_data.unit_amount, "5000");
    assert.is(params["line_items"][2].price_data.unit_amount, "10000");
    assert.equal(params["subscription_data"].metadata, {
      tenant_id: a.id,
      plan_slug: "professional",
      extra_users: "2",
      sms: "true",
    });
    assert.ok(String(params["success_url"]).startsWith(`${publicUrl}/`));
    assert.ok(String(params["cancel_url"]).startsWith(`${publicUrl}/`));
    assert.ok(sessions[0]!.idempotencyKey?.includes("checkout-a-1"));

    // The same Idempotency-Key answers the same session without asking Stripe again.
    const again = await checkout(engine, a, body, "checkout-a-1");
    assert.is(again.body.sessionId, answer.body.sessionId);
    assert.is(stripe.callsTo("POST", "/v1/checkout/sessions").length, 1);

    // A second checkout reuses the customer.
    const monthly = await checkout(engine, a, { planSlug: "business", interval: "month" });
    assert.is(monthly.status, 200);
    assert.is(stripe.callsTo("POST", "/v1/customers").length, 1);
    assert.is(
      stripe.callsTo("POST", "/v1/checkout/sessions").at(-1)!.params["customer"],
      customerId,
    );
  });

  billing("refuses bad checkout input", async ({ engine, a }) => {
    const bad = await checkout(engine, a, { planSlug: "platinum", interval: "week" });
    assert.is(bad.status, 422);
    assert.is(bad.body.error.code, "invalid_input");
    const negative = await checkout(engine, a, {
      planSlug: "starter",
      interval: "month",
      extraUsers: -1,
    });
    assert.is(negative.status, 422);
  });

  billing("the billing portal opens for the tenant's customer", async (context) => {
    const { engine, stripe, a } = context;
    const customerId = await customerOf(context, a);
    const answer = await engine.api("POST", "/api/v1/billing/portal", { token: tokenOf(a) });
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    const call = stripe.callsTo("POST", "/v1/billing_portal/sessions").at(-1)!;
    assert.is(call.params["customer"], customerId);
    assert.ok(String(call.params["return_url"]).startsWith(publicUrl));
  });

  billing("a missing or bad signature is 400 and changes nothing", async (context) => {
    const { engine, a } = context;
    const customer = await customerOf(context, a);
    const before = await tenantRow(engine, a.id);
    const event = subscriptionEvent("customer.subscription.deleted", {
      tenantId: a.id,
      customer,
    });

    const forged = await deliver(engine, event, "whsec_someoneElse012345");
    assert.is(forged.status, 400);
    assert.is(forged.body.error.code, "invalid_signature");
    const unsigned = await engine.api("POST", "/webhooks/stripe", { body: event });
    assert.is(unsigned.status, 400);
    assert.is(unsigned.body.error.code, "invalid_signature");

    const payload = JSON.stringify(event);
    const header = Stripe.webhooks.generateTestHeaderString({ payload, secret: webhookSecret });
    const tampered = await engine.api("POST", "/webhooks/stripe", {
      rawBody: payload.replace("deleted", "updated"),
      headers: { "stripe-signature": header },
    });
    assert.is(tampered.status, 400);
    assert.equal(await tenantRow(engine, a.id), before);
    const stored = await knexOf(engine.engine.services.db)("stripe_events").where({ id: event.id });
    assert.is(stored.length, 0);
  });

  billing("subscription and invoice events move the tenant's status", async (context) => {
    const { engine, a } = context;
    const customer = await customerOf(context, a);
    const steps: [object, string][] = [
      [
        subscriptionEvent("customer.subscription.created", { customer, status: "trialing" }),
        "trial",
      ],
      [
        subscriptionEvent("customer.subscription.updated", { customer, status: "active" }),
        "active",
      ],
      [
        subscriptionEvent("customer.subscription.updated", { customer, status: "past_due" }),
        "suspended",
      ],
      [invoiceEvent("invoice.paid", customer), "active"],
      [invoiceEvent("invoice.payment_failed", customer), "suspended"],
      [
        subscriptionEvent("customer.subscription.updated", { customer, status: "unpaid" }),
        "suspended",
      ],
      [
        subscriptionEvent("customer.subscription.updated", { customer, status: "active" }),
        "active",
      ],
    ];
    for (const [event, status] of steps) {
      const answer = await deliver(engine, event);
      assert.is(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body, { received: true });
      assert.is(await statusOf(engine, a), status, (event as { type: string }).type);
    }
    const row = await tenantRow(engine, a.id);
    assert.match(row.stripe_subscription_id, /^sub_/);
    assert.is(row.billing_interval, "month");
    assert.ok(row.current_period_end);
  });

  billing("a suspended tenant is refused but may still reach billing", async (context) => {
    const { engine, a } = context;
    const customer = await customerOf(context, a);
    await deliver(engine, invoiceEvent("invoice.payment_failed", customer, a.id));
    const refused = await engine.api("GET", "/api/v1/tenant", { token: tokenOf(a) });
    assert.is(refused.status, 402);
    assert.is(refused.body.error.code, "tenant_suspended");
    const billingView = await engine.api("GET", "/api/v1/billing", { token: tokenOf(a) });
    assert.is(billingView.status, 200, JSON.stringify(billingView.body));
    assert.is(billingView.body.status, "suspended");
    const portal = await engine.api("POST", "/api/v1/billing/portal", { token: tokenOf(a) });
    assert.is(portal.status, 200);

    await deliver(engine, invoiceEvent("invoice.paid", customer, a.id));
    const served = await engine.api("GET", "/api/v1/tenant", { token: tokenOf(a) });
    assert.is(served.status, 200);
    assert.is(served.body.subscriptionStatus, "active");
  });

  billing("a redelivered event is applied once", async (context) => {
    const { engine, a } = context;
    const customer = await customerOf(context, a);
    const failed = invoiceEvent("invoice.payment_failed", customer);
    assert.is((await deliver(engine, failed)).status, 200);
    assert.is(await statusOf(engine, a), "suspended");
    await deliver(engine, invoiceEvent("invoice.paid", customer));
    assert.is(await statusOf(engine, a), "active");

    const again = await deliver(engine, failed);
    assert.is(again.status, 200);
    assert.equal(again.body, { received: true, duplicate: true });
    assert.is(await statusOf(engine, a), "active");
    const rows = await knexOf(engine.engine.services.db)("stripe_events").where({ id: failed.id });
    assert.is(rows.length, 1);
    assert.is(rows[0].tenant_id, a.id);
  });

  billing("an event older than the tenant's last status is ignored", async (context) => {
    const { engine, a } = context;
    const customer = await customerOf(context, a);
    const older = subscriptionEvent("customer.subscription.updated", {
      customer,
      status: "past_due",
      created: nextCreated(),
    });
    await deliver(engine, subscriptionEvent("customer.subscription.updated", { customer }));
    assert.is(await statusOf(engine, a), "active");

    const late = await deliver(engine, older);
    assert.is(late.status, 200);
    assert.equal(late.body, { received: true, ignored: "stale" });
    assert.is(await statusOf(engine, a), "active");
  });

  billing("one tenant's events never change another tenant", async (context) => {
    const { engine, a, b } = context;
    const customerA = await customerOf(context, a);
    await customerOf(context, b);
    const beforeB = await tenantRow(engine, b.id);

    // Metadata naming B on A's customer: refused as no known tenant.
    const crossed = subscriptionEvent("customer.subscription.deleted", {
      tenantId: b.id,
      customer: customerA,
    });
    const answer = await deliver(engine, crossed);
    assert.is(answer.status, 200);
    assert.equal(answer.body, { received: true, ignored: "unknown_tenant" });
    assert.equal(await tenantRow(engine, b.id), beforeB);

    // A's own event changes A only.
    await deliver(engine, invoiceEvent("invoice.payment_failed", customerA));
    assert.is(await statusOf(engine, a), "suspended");
    assert.equal(await tenantRow(engine, b.id), beforeB);
    await deliver(engine, invoiceEvent("invoice.paid", customerA));

    // A customer nobody has: 200 so Stripe stops retrying, and nothing changes.
    const stranger = await deliver(engine, invoiceEvent("invoice.paid", "cus_test_nobody"));
    assert.equal(stranger.body, { received: true, ignored: "unknown_tenant" });
  });

  billing("events of other types are acknowledged and ignored", async ({ engine }) => {
    const answer = await deliver(engine, eventOf("customer.updated", { id: "cus_test_x" }));
    assert.is(answer.status, 200);
    assert.equal(answer.body, { received: true, ignored: "not_handled" });
  });

  billing("a plan upgrade lifts the booking limit without a restart", async (context) => {
    const { engine } = context;
    const c = await signUpTenant(engine, "billing-c");
    // Starter's 100 a month, lowered to 1 so the limit is reached with one booking.
    await knexOf(engine.engine.services.db)("tenants")
      .where({ id: c.id })
      .update({ max_bookings_per_month: 1 });
    const usage = await engine.api("GET", "/api/v1/usage", { token: c.secretKey });
    assert.is(usage.body.bookings.limit, 1);

    const { calendarId, serviceId } = await createOffer(engine, c);
    const book = (time: string, n: number) =>
      engine.api("POST", "/api/v1/bookings", {
        token: c.secretKey,
        body: bookingBody(calendarId, serviceId, slotAt(time), n),
      });
    assert.is((await book("09:00", 1)).status, 201);
    const refused = await book("10:00", 2);
    assert.is(refused.status, 429);
    assert.is(refused.body.error.code, "plan_limit_reached");

    const session = eventOf("checkout.session.completed", {
      id: "cs_test_c",
      object: "checkout.session",
      mode: "subscription",
      client_reference_id: c.id,
      metadata: { tenant_id: c.id },
      customer: "cus_test_tenant_c",
      subscription: "sub_test_tenant_c",
    });
    assert.equal((await deliver(engine, session)).body, { received: true });
    const upgrade = subscriptionEvent("customer.subscription.updated", {
      tenantId: c.id,
      customer: "cus_test_tenant_c",
      planSlug: "professional",
      extraUsers: 3,
    });
    assert.equal((await deliver(engine, upgrade)).body, { received: true });

    const row = await tenantRow(engine, c.id);
    assert.is(row.stripe_customer_id, "cus_test_tenant_c");
    assert.is(row.stripe_subscription_id, "sub_test_tenant_c");
    assert.is(row.max_bookings_per_month, 500);
    assert.is(row.max_users, 13);
    assert.is(row.extra_users, 3);
    const booked = await book("10:00", 2);
    assert.is(booked.status, 201, JSON.stringify(booked.body));
    const tenant = await engine.api("GET", "/api/v1/tenant", { token: c.secretKey });
    assert.is(tenant.body.plan, "professional");
    assert.is(tenant.body.subscriptionStatus, "active");

    const view = await engine.api("GET", "/api/v1/billing", { token: c.secretKey });
    assert.is(view.body.plan, "professional");
    assert.equal(view.body.addOns, { extraUsers: 3, sms: false });
    assert.is(view.body.interval, "month");
    assert.ok(view.body.subscribed);
  });

  billing("the usage report sends each subscribed tenant's bookings", async (context) => {
    const { engine, stripe } = context;
    const c = await knexOf(engine.engine.services.db)("tenants")
      .where({ tenant_code: "billing-c" })
      .first();
    const before = stripe.callsTo("POST", "/v1/billing/meter_events").length;
    const refused = await engine.api("POST", "/api/v1/admin/billing/report-usage", {
      token: context.a.secretKey,
    });
    assert.is(refused.status, 403);

    const answer = await engine.api("POST", "/api/v1/admin/billing/report-usage", {
      token: testAdminToken,
    });
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    assert.is(answer.body.failed, 0);
    const calls = stripe.callsTo("POST", "/v1/billing/meter_events").slice(before);
    assert.is(calls.length, answer.body.reported);
    const period = new Date().toISOString().slice(0, 7);
    const forC = calls.find(
      (call) =>
        (call.params["payload"] as Record<string, string>)["stripe_customer_id"] ===
        "cus_test_tenant_c",
    );
    assert.ok(forC, "tenant c reported");
    assert.is(forC!.params["event_name"], "vbwd_bookings");
    assert.is((forC!.params["payload"] as Record<string, string>)["value"], "2");
    assert.is(forC!.params["identifier"], `${c.id}-${period}-2`);
  });

  billing.run();
}

for (const dialect of dialectsUnderTest()) {
  const unconfigured = suite<{ scratch: ScratchDatabase; engine: TestEngine; a: TestTenant }>(
    `billing: without Stripe configured (${dialect.name})`,
  );

  unconfigured.before(async (context) => {
    context.scratch = await dialect.create("nobilling");
    context.engine = await startTestEngine(context.scratch.target);
    context.a = await signUpTenant(context.engine, "nobilling-a");
  });

  unconfigured.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  unconfigured(
    "every call that needs Stripe is 503 unavailable; reading the plan works",
    async ({ engine, a }) => {
      const read = await engine.api("GET", "/api/v1/billing", { token: tokenOf(a) });
      assert.is(read.status, 200);
      assert.equal(
        [read.body.plan, read.body.status, read.body.subscribed],
        ["starter", "trial", false],
      );
      const calls = [
        engine.api("POST", "/api/v1/billing/checkout", {
          token: a.secretKey,
          body: { planSlug: "starter", interval: "month" },
        }),
        engine.api("POST", "/api/v1/billing/portal", { token: tokenOf(a) }),
        engine.api("POST", "/api/v1/admin/billing/report-usage", { token: testAdminToken }),
        deliver(engine, eventOf("invoice.paid", { id: "in_test_1", customer: "cus_test_1" })),
      ];
      for (const answer of await Promise.all(calls)) {
        assert.is(answer.status, 503, JSON.stringify(answer.body));
        assert.is(answer.body.error.code, "unavailable");
      }
      const row = await tenantRow(engine, a.id);
      assert.is(row.stripe_customer_id, null);
    },
  );

  unconfigured.run();
}
