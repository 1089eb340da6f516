import { randomUUID } from "node:crypto";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  defaultRateLimitPolicy,
  useRateLimitPolicy,
  type RateLimitPolicy,
} from "../../src/gateway/http/rate-limit.js";
import { rowsOf } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  createAgentKey,
  signUpTenant,
  startTestEngine,
  type ApiAnswer,
  type TestEngine,
} from "../support/engine.js";
import { redisUrl, warnSkipped } from "../support/services.js";

interface Context {
  scratches: ScratchDatabase[];
  engines: TestEngine[];
  restorePolicy: () => void;
}

const [sqlite] = dialectsUnderTest();
let codes = 0;
const nextCode = (name: string) => `${name}-${++codes}`;
const generous = 1_000_000;

/** A suite whose engines run under `policy`, started with `env` each. */
function limitedSuite(name: string, policy: Partial<RateLimitPolicy>, envs: object[] = [{}]) {
  const limited = suite<Context>(`gateway: rate limits, ${name}`);
  limited.before(async (context) => {
    context.restorePolicy = useRateLimitPolicy(policy);
    context.scratches = [];
    context.engines = [];
    for (const env of envs) {
      const scratch = await sqlite!.create("rate_limit");
      context.scratches.push(scratch);
      context.engines.push(await startTestEngine(scratch.target, env as Record<string, string>));
    }
  });
  limited.after(async (context) => {
    for (const engine of context.engines) await engine.stop();
    for (const scratch of context.scratches) await scratch.drop();
    context.restorePolicy();
  });
  return limited;
}

function assertRefused(answer: ApiAnswer, limit: number): void {
  assert.is(answer.status, 429, JSON.stringify(answer.body));
  assert.is(answer.body.error.code, "rate_limited");
  assert.is(answer.headers.get("ratelimit-limit"), String(limit));
  assert.is(answer.headers.get("ratelimit-remaining"), "0");
  const retryAfter = Number(answer.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
}

const perTenant = limitedSuite("per tenant and per address", {
  tenantPerMinute: () => 3,
  // Every key may use the whole tenant figure here; the per-key suite below splits it.
  keyShare: 1,
  signupPerMinute: generous,
  loginPerMinute: 2,
  unidentifiedPerMinute: 2,
});

perTenant("a tenant gets its limit a minute, counted down in headers", async ({ engines }) => {
  const [engine] = engines as [TestEngine];
  const tenant = await signUpTenant(engine, nextCode("limited"));
  for (const remaining of ["2", "1", "0"]) {
    const answer = await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
    assert.is(answer.status, 200);
    assert.is(answer.headers.get("ratelimit-limit"), "3");
    assert.is(answer.headers.get("ratelimit-remaining"), remaining);
    assert.ok(Number(answer.headers.get("ratelimit-reset")) > 0);
  }
  assertRefused(await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey }), 3);
});

perTenant(
  "all of a tenant's credentials share its limit; others are untouched",
  async (context) => {
    const [engine] = context.engines as [TestEngine];
    const tenant = await signUpTenant(engine, nextCode("shared"));
    const other = await signUpTenant(engine, nextCode("other"));
    await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
    await engine.api("GET", `/v1/widget/${tenant.code}/config`, { token: tenant.publishableKey });
    await engine.api("GET", "/api/v1/tenant", { headers: { "x-api-key": tenant.secretKey } });

    const widget = await engine.api("GET", `/v1/widget/${tenant.code}/config`, {
      token: tenant.publishableKey,
    });
    assertRefused(widget, 3);
    assert.is((await engine.api("GET", "/api/v1/tenant", { token: other.secretKey })).status, 200);
  },
);

perTenant("a refused call changes nothing", async ({ engines }) => {
  const [engine] = engines as [TestEngine];
  const tenant = await signUpTenant(engine, nextCode("unchanged"));
  const rename = (name: string) =>
    engine.api("PATCH", "/api/v1/tenant", { token: tenant.secretKey, body: { name } });
  for (const name of ["One", "Two", "Three"]) assert.is((await rename(name)).status, 200);
  assertRefused(await rename("Four"), 3);

  const [row] = await rowsOf(engine, "tenants", { id: tenant.id });
  assert.is(row.name, "Three");
});

perTenant("logins are limited per address", async ({ engines }) => {
  const [engine] = engines as [TestEngine];
  const tenant = await signUpTenant(engine, nextCode("login"));
  const logIn = () =>
    engine.api("POST", "/api/v1/auth/login", {
      body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
    });
  assert.is((await logIn()).status, 200);
  assert.is((await logIn()).status, 200);
  assertRefused(await logIn(), 2);
});

perTenant("credentials that identify no one are limited per address", async ({ engines }) => {
  const [engine] = engines as [TestEngine];
  const guess = (n: number) => engine.api("GET", "/api/v1/tenant", { token: `sk_test_guess${n}` });
  assert.is((await guess(1)).status, 401);
  assert.is((await guess(2)).status, 401);
  assertRefused(await guess(3), 2);
});

perTenant(
  "requests without credentials outside signup and login are not limited",
  async (context) => {
    const [engine] = context.engines as [TestEngine];
    for (let n = 0; n < 4; n++) {
      const answer = await engine.api("GET", "/openapi.json");
      assert.is(answer.status, 200);
      assert.is(answer.headers.get("ratelimit-limit"), null);
    }
  },
);

perTenant.run();

const signups = limitedSuite("signup per address", { signupPerMinute: 2 });

signups("signups are limited per address", async ({ engines }) => {
  const [engine] = engines as [TestEngine];
  await signUpTenant(engine, nextCode("first"));
  await signUpTenant(engine, nextCode("second"));
  const third = await engine.api("POST", "/api/v1/signup", {
    body: {
      tenantCode: nextCode("third"),
      name: "Third",
      businessType: "medical",
      email: "third@example.org",
      password: "correct horse battery",
    },
  });
  assertRefused(third, 2);
});

signups.run();

const plans = limitedSuite("from the plan", {
  tenantPerMinute: defaultRateLimitPolicy.tenantPerMinute,
  keyShare: defaultRateLimitPolicy.keyShare,
});

plans("a tenant's limit is its plan's requests a minute, each key half of it", async (context) => {
  const [engine] = context.engines as [TestEngine];
  const tenant = await signUpTenant(engine, nextCode("starter"));
  const answer = await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
  assert.is(answer.body.plan, "starter");
  // The key's 100 of the tenant's 200 is the tighter of the two, so the headers show it.
  assert.is(answer.headers.get("ratelimit-limit"), "100");
  assert.is(answer.headers.get("ratelimit-remaining"), "99");
});

plans.run();

const perKey = limitedSuite("per key", { tenantPerMinute: () => 6, keyShare: 0.5 });

perKey(
  "a key past its budget does not starve the tenant's other keys; the tenant still caps",
  async ({ engines }) => {
    const [engine] = engines as [TestEngine];
    const tenant = await signUpTenant(engine, nextCode("keys"));
    // The secret key's first request of its 3 (and the tenant's first of 6).
    const agentKey = await createAgentKey(engine, tenant);
    for (const remaining of ["1", "0"]) {
      const answer = await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
      assert.is(answer.status, 200);
      assert.is(answer.headers.get("ratelimit-limit"), "3");
      assert.is(answer.headers.get("ratelimit-remaining"), remaining);
    }
    for (let n = 0; n < 3; n++) {
      assertRefused(await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey }), 3);
    }

    // The refusals did not count against the tenant: another key still gets its own 3.
    const widget = () =>
      engine.api("GET", `/v1/widget/${tenant.code}/config`, { token: tenant.publishableKey });
    for (const remaining of ["2", "1", "0"]) {
      const answer = await widget();
      assert.is(answer.status, 200, JSON.stringify(answer.body));
      assert.is(answer.headers.get("ratelimit-remaining"), remaining);
    }
    // Now the tenant's 6 are used: a third key with its budget untouched is refused by it.
    assertRefused(await engine.api("GET", "/api/v1/tenant", { token: agentKey }), 6);
  },
);

perKey.run();

const redis = redisUrl();
if (redis) {
  // Two single-node engines (two clusters in one Redis) that share the limits' keys.
  const keyPrefix = `vbwd-test-rate-${randomUUID()}`;
  const envs = ["a", "b"].map((n) => ({
    REDIS_URL: redis,
    CLUSTER_NAME: `rate-${n}-${process.pid}`,
  }));
  const shared = limitedSuite("in Redis", { signupPerMinute: 3, keyPrefix }, envs);

  shared("engines sharing a Redis count together", async ({ engines }) => {
    const [first, second] = engines as [TestEngine, TestEngine];
    await signUpTenant(first, nextCode("redis-a"));
    await signUpTenant(second, nextCode("redis-b"));
    await signUpTenant(first, nextCode("redis-c"));
    const fourth = await second.api("POST", "/api/v1/signup", {
      body: {
        tenantCode: nextCode("redis-d"),
        name: "Fourth",
        businessType: "medical",
        email: "fourth@example.org",
        password: "correct horse battery",
      },
    });
    assertRefused(fourth, 3);
  });

  shared.run();
} else {
  warnSkipped("rate limits in Redis", "REDIS_URL is not set");
}
