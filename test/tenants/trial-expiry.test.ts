import { suite } from "uvu";
import * as assert from "uvu/assert";
import { trialExpiryDeps } from "../../src/commands/plan-enforcement.js";
import { knexOf } from "../../src/engine/knex-access.js";
import { startTrialSweeper, sweepExpiredTrials } from "../../src/tenants/trial-expiry.js";
import { sleep } from "../support/actor-fakes.js";
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
}

let codes = 0;
function nextCode(label: string): string {
  codes += 1;
  return `${label}-${codes}-${Math.random().toString(36).slice(2, 6)}`;
}

/** Moves the tenant's trial end, as time passing would. */
async function endTrialAt(engine: TestEngine, tenant: TestTenant, at: Date): Promise<void> {
  await knexOf(engine.engine.services.db)("tenants")
    .where({ id: tenant.id })
    .update({ trial_ends_at: at });
}

async function statusOf(engine: TestEngine, tenant: TestTenant): Promise<string> {
  const row = await knexOf(engine.engine.services.db)("tenants")
    .select("subscription_status")
    .where({ id: tenant.id })
    .first();
  return row.subscription_status;
}

function readTenant(engine: TestEngine, tenant: TestTenant) {
  return engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
}

const minuteAgo = () => new Date(Date.now() - 60_000);

for (const dialect of dialectsUnderTest()) {
  const expiry = suite<Context>(`tenants: trial expiry (${dialect.name})`);

  expiry.before(async (context) => {
    context.scratch = await dialect.create("trial_expiry");
    context.engine = await startTestEngine(context.scratch.target);
  });

  expiry.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  expiry("a request to a tenant whose trial ran out finds it suspended", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("expired"));
    await endTrialAt(engine, tenant, minuteAgo());

    const refused = await readTenant(engine, tenant);
    assert.is(refused.status, 402);
    assert.is(refused.body.error.code, "tenant_suspended");
    assert.is(await statusOf(engine, tenant), "suspended");
    // Its staff can still sign in to pay, and see why everything else is refused.
    const login = await engine.api("POST", "/api/v1/auth/login", {
      body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
    });
    assert.is(login.status, 200);
    assert.is(login.body.subscriptionStatus, "suspended");

    // Paying (here: the operator) brings it back.
    const active = await engine.api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
      token: testAdminToken,
      body: { subscriptionStatus: "active", planSlug: "professional" },
    });
    assert.is(active.status, 200);
    assert.is((await readTenant(engine, tenant)).status, 200);
  });

  expiry("a trial running out while the tenant is cached ends on time", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("cached"));
    await endTrialAt(engine, tenant, new Date(Date.now() + 1500));
    // Forget the tenant read at signup so the next call caches the new trial end.
    engine.engine.services.identities.forget({ kind: "tenant", id: tenant.id });
    assert.is((await readTenant(engine, tenant)).status, 200);
    await sleep(1700);
    const refused = await readTenant(engine, tenant);
    assert.is(refused.status, 402);
    assert.is(await statusOf(engine, tenant), "suspended");
  });

  expiry("the sweeper suspends expired trials only, once", async ({ engine }) => {
    const expired = await signUpTenant(engine, nextCode("sweep-old"));
    const running = await signUpTenant(engine, nextCode("sweep-new"));
    const paying = await signUpTenant(engine, nextCode("sweep-paid"));
    await engine.api("PATCH", `/api/v1/admin/tenants/${paying.code}`, {
      token: testAdminToken,
      body: { subscriptionStatus: "active", planSlug: "professional" },
    });
    // Cached with its old trial end: only the sweeper's invalidation can make this call see it.
    assert.is((await readTenant(engine, expired)).status, 200);
    await endTrialAt(engine, expired, minuteAgo());
    await endTrialAt(engine, paying, minuteAgo());

    const deps = trialExpiryDeps(engine.engine.services);
    const suspended = await sweepExpiredTrials(deps);
    assert.ok(suspended.includes(expired.id));
    assert.not.ok(suspended.includes(running.id));
    assert.not.ok(suspended.includes(paying.id));
    assert.equal(await sweepExpiredTrials(deps), [], "a second sweep finds nothing");

    assert.is(await statusOf(engine, expired), "suspended");
    assert.is(await statusOf(engine, running), "trial");
    assert.is(await statusOf(engine, paying), "active");
    assert.is((await readTenant(engine, expired)).status, 402);
    assert.is((await readTenant(engine, running)).status, 200);
  });

  expiry("the periodic sweeper runs on its own", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("periodic"));
    await endTrialAt(engine, tenant, minuteAgo());
    const stop = startTrialSweeper(trialExpiryDeps(engine.engine.services), 50);
    try {
      for (let i = 0; i < 40 && (await statusOf(engine, tenant)) !== "suspended"; i++) {
        await sleep(50);
      }
    } finally {
      stop();
    }
    assert.is(await statusOf(engine, tenant), "suspended");
  });

  expiry.run();
}
