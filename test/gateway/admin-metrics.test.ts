import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  tenants: Record<string, TestTenant>;
}

/** Sets a tenant's status and plan as the operator. */
async function setTenant(engine: TestEngine, code: string, body: object): Promise<void> {
  const answer = await engine.api("PATCH", `/api/v1/admin/tenants/${code}`, {
    token: testAdminToken,
    body,
  });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
}

function metrics(engine: TestEngine, token = testAdminToken) {
  return engine.api("GET", "/api/v1/admin/metrics", { token });
}

for (const dialect of dialectsUnderTest()) {
  const test = suite<Context>(`gateway: platform metrics (${dialect.name})`);

  test.before(async (context) => {
    context.scratch = await dialect.create("admin_metrics");
    context.engine = await startTestEngine(context.scratch.target);
    context.tenants = {};
    for (const code of ["mrr-trial", "mrr-monthly", "mrr-yearly", "mrr-suspended", "mrr-gone"]) {
      context.tenants[code] = await signUpTenant(context.engine, code);
    }
  });

  test.after(async ({ engine, scratch }) => {
    await engine?.stop();
    await scratch?.drop();
  });

  test("starts with no revenue while every tenant is on trial", async ({ engine }) => {
    const answer = await metrics(engine);
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body, {
      mrrCents: 0,
      currency: "USD",
      tenantsByStatus: { trial: 5, active: 0, suspended: 0, cancelled: 0 },
      tenantsByPlan: { starter: 5, professional: 0, business: 0, enterprise: 0 },
      bookingsThisMonth: 0,
    });
  });

  test("sums the plans of active tenants, yearly ones at a twelfth", async ({ engine }) => {
    await setTenant(engine, "mrr-monthly", {
      subscriptionStatus: "active",
      planSlug: "professional",
    });
    await setTenant(engine, "mrr-yearly", { subscriptionStatus: "active", planSlug: "business" });
    await rowsOf(engine, "tenants", { tenant_code: "mrr-yearly" }).update({
      billing_interval: "year",
    });
    await setTenant(engine, "mrr-suspended", {
      subscriptionStatus: "suspended",
      planSlug: "enterprise",
    });
    await setTenant(engine, "mrr-gone", { subscriptionStatus: "cancelled", planSlug: "business" });

    const answer = await metrics(engine);
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    // Professional monthly 79.00 + business yearly 1,990.00 / 12 = 165.83; suspended,
    // cancelled and trial tenants pay nothing.
    assert.is(answer.body.mrrCents, 7_900 + Math.round(199_000 / 12));
    assert.is(answer.body.currency, "USD");
    assert.equal(answer.body.tenantsByStatus, {
      trial: 1,
      active: 2,
      suspended: 1,
      cancelled: 1,
    });
    assert.equal(answer.body.tenantsByPlan, {
      starter: 1,
      professional: 1,
      business: 2,
      enterprise: 1,
    });
  });

  test("counts the month's bookings of every tenant, and the list shows each one's", async ({
    engine,
    tenants,
  }) => {
    const trial = tenants["mrr-trial"]!;
    const offer = await createOffer(engine, trial);
    for (const [n, time] of ["09:00", "10:00", "11:00"].entries()) {
      const made = await engine.api("POST", "/api/v1/bookings", {
        token: trial.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, slotAt(time), n),
      });
      assert.is(made.status, 201, JSON.stringify(made.body));
    }
    const answer = await metrics(engine);
    assert.is(answer.body.bookingsThisMonth, 3);

    const listed = await engine.api("GET", "/api/v1/admin/tenants?limit=100", {
      token: testAdminToken,
    });
    assert.is(listed.status, 200);
    const usage = Object.fromEntries(
      listed.body.data.map((tenant: { code: string; usage: unknown }) => [
        tenant.code,
        tenant.usage,
      ]),
    );
    assert.equal(usage["mrr-trial"], { users: 1, bookings: { used: 3, limit: 100 } });
    assert.equal(usage["mrr-suspended"], { users: 1, bookings: { used: 0, limit: -1 } });
  });

  test("is for the platform operator only", async ({ engine, tenants }) => {
    const anonymous = await engine.api("GET", "/api/v1/admin/metrics");
    assert.is(anonymous.status, 401);
    const asTenant = await metrics(engine, tenants["mrr-trial"]!.secretKey);
    assert.is(asTenant.status, 403);
    assert.is(asTenant.body.error.code, "insufficient_scope");
    const wrong = await metrics(engine, "not-the-operator-token");
    assert.is(wrong.status, 401);
  });

  test.run();
}
