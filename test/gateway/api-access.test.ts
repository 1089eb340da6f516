import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createOffer } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  createAgentKey,
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

/** A tenant with an agent key and a bookable offer, made while on trial. */
interface Shop extends TestTenant {
  agentKey: string;
}

let codes = 0;
async function openShop(engine: TestEngine, label: string): Promise<Shop> {
  codes += 1;
  const tenant = await signUpTenant(engine, `${label}-${codes}-${Date.now() % 100000}`);
  await createOffer(engine, tenant);
  return { ...tenant, agentKey: await createAgentKey(engine, tenant) };
}

async function setPlan(engine: TestEngine, code: string, body: object): Promise<void> {
  const answer = await engine.api("PATCH", `/api/v1/admin/tenants/${code}`, {
    token: testAdminToken,
    body,
  });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
}

async function ownerToken(engine: TestEngine, tenant: TestTenant): Promise<string> {
  const answer = await engine.api("POST", "/api/v1/auth/login", {
    body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
  });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.token;
}

function graphqlServices(engine: TestEngine, token: string) {
  return engine.api("POST", "/graphql", {
    token,
    body: { query: "{ services { id name } }" },
    headers: { accept: "application/json" },
  });
}

const mcpInitialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "api-access-test", version: "1.0.0" },
  },
};

/** Raw POST, answering status and body text (protocols shape their refusals their own way). */
async function post(engine: TestEngine, path: string, token: string, body: object) {
  const response = await fetch(engine.url + path, {
    method: "POST",
    headers: {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, text: await response.text() };
}

function domainRequest(engine: TestEngine, token: string, domain: string) {
  return engine.api("PUT", "/api/v1/tenant/domain", { token, body: { domain } });
}

function widgetConfig(engine: TestEngine, tenant: TestTenant) {
  return engine.api("GET", `/v1/widget/${tenant.code}/config`, { token: tenant.publishableKey });
}

for (const dialect of dialectsUnderTest()) {
  const access = suite<Context>(`gateway: API access and features by plan (${dialect.name})`);

  access.before(async (context) => {
    context.scratch = await dialect.create("api_access");
    context.engine = await startTestEngine(context.scratch.target);
  });

  access.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  access(
    "an active starter tenant's secret and agent keys are refused everywhere",
    async ({ engine }) => {
      const shop = await openShop(engine, "starter");
      await setPlan(engine, shop.code, { subscriptionStatus: "active" });

      const rest = await engine.api("GET", "/api/v1/calendars", { token: shop.secretKey });
      assert.is(rest.status, 403);
      assert.is(rest.body.error.code, "feature_not_in_plan");
      assert.match(rest.body.error.message, /starter plan does not include API access/);

      const graphql = await graphqlServices(engine, shop.secretKey);
      assert.is(graphql.body.errors?.[0]?.extensions?.code, "feature_not_in_plan");
      assert.is(graphql.body.data?.services ?? null, null);

      const mcp = await post(engine, "/mcp", shop.agentKey, mcpInitialize);
      assert.is(mcp.status, 403);
      assert.match(mcp.text, /feature_not_in_plan/);
      const agentTask = await post(engine, "/ap/v1/agent/tasks", shop.agentKey, { input: "hi" });
      assert.is(agentTask.status, 403);
      assert.match(agentTask.text, /feature_not_in_plan/);
      const a2a = await post(engine, "/a2a", shop.agentKey, {
        jsonrpc: "2.0",
        id: 1,
        method: "message/send",
        params: {
          message: { role: "user", parts: [{ kind: "text", text: "hi" }], messageId: "m1" },
        },
      });
      assert.match(a2a.text, /feature_not_in_plan/);
    },
  );

  access("the widget's publishable key and staff sessions keep working", async ({ engine }) => {
    const shop = await openShop(engine, "widget");
    await setPlan(engine, shop.code, { subscriptionStatus: "active" });

    const config = await widgetConfig(engine, shop);
    assert.is(config.status, 200);
    assert.is(config.body.services.length, 1);
    const token = await ownerToken(engine, shop);
    const calendars = await engine.api("GET", "/api/v1/calendars", { token });
    assert.is(calendars.status, 200);
    assert.is(calendars.body.data.length, 1);
    const graphql = await graphqlServices(engine, token);
    assert.is(graphql.body.data.services.length, 1);
  });

  access("trial tenants and plans with API access may use their keys", async ({ engine }) => {
    const trial = await openShop(engine, "trial");
    const onTrial = await engine.api("GET", "/api/v1/calendars", { token: trial.secretKey });
    assert.is(onTrial.status, 200);
    assert.is((await graphqlServices(engine, trial.secretKey)).body.data.services.length, 1);

    const pro = await openShop(engine, "pro");
    await setPlan(engine, pro.code, { subscriptionStatus: "active", planSlug: "professional" });
    const rest = await engine.api("GET", "/api/v1/calendars", { token: pro.secretKey });
    assert.is(rest.status, 200);
    const mcp = await post(engine, "/mcp", pro.agentKey, mcpInitialize);
    assert.is(mcp.status, 200, mcp.text);

    // Moving down to starter takes the access away at once.
    await setPlan(engine, pro.code, { planSlug: "starter" });
    const after = await engine.api("GET", "/api/v1/calendars", { token: pro.secretKey });
    assert.is(after.status, 403);
    assert.is(after.body.error.code, "feature_not_in_plan");
  });

  access("custom domains need a plan that includes them (or a trial)", async ({ engine }) => {
    const starter = await openShop(engine, "domstart");
    await setPlan(engine, starter.code, { subscriptionStatus: "active" });
    const token = await ownerToken(engine, starter);
    const refused = await domainRequest(engine, token, "booking.starter.example");
    assert.is(refused.status, 403);
    assert.is(refused.body.error.code, "feature_not_in_plan");
    const status = await engine.api("GET", "/api/v1/tenant/domain", { token });
    assert.is(status.body.status, "none", "a refused request changes nothing");

    const trial = await openShop(engine, "domtrial");
    const onTrial = await domainRequest(engine, trial.secretKey, "booking.trial.example");
    assert.is(onTrial.status, 200);

    const pro = await openShop(engine, "dompro");
    await setPlan(engine, pro.code, { subscriptionStatus: "active", planSlug: "professional" });
    const allowed = await domainRequest(engine, pro.secretKey, "booking.pro.example");
    assert.is(allowed.status, 200);
    assert.is(allowed.body.status, "pending");
  });

  access("the widget shows Powered by VBWD unless the plan is white label", async ({ engine }) => {
    const starter = await openShop(engine, "brandstart");
    assert.is((await widgetConfig(engine, starter)).body.poweredBy, true);

    const pro = await openShop(engine, "brandpro");
    await setPlan(engine, pro.code, { subscriptionStatus: "active", planSlug: "professional" });
    assert.is((await widgetConfig(engine, pro)).body.poweredBy, true);

    const business = await openShop(engine, "brandbiz");
    await setPlan(engine, business.code, { subscriptionStatus: "active", planSlug: "business" });
    assert.is((await widgetConfig(engine, business)).body.poweredBy, false);
  });

  access.run();
}
