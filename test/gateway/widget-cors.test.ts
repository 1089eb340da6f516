import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { signUpTenant, startTestEngine, type TestEngine } from "../support/engine.js";

const [sqlite] = dialectsUnderTest();
const cors = suite<{ scratch: ScratchDatabase; engine: TestEngine }>(
  "gateway: CORS on widget calls",
);

cors.before(async (context) => {
  context.scratch = await sqlite!.create("cors");
  context.engine = await startTestEngine(context.scratch.target);
});

cors.after(async ({ engine, scratch }) => {
  await engine.stop();
  await scratch.drop();
});

cors("admits only the origins the tenant's publishable keys allow", async ({ engine }) => {
  const tenant = await signUpTenant(engine, "cors-co");
  // Signup's publishable key admits any origin; restrict by revoking it for a listed one.
  const keys = await engine.api("GET", "/api/v1/keys", { token: tenant.secretKey });
  const open = keys.body.data.find((k: { kind: string }) => k.kind === "publishable");
  await engine.api("DELETE", `/api/v1/keys/${open.id}`, { token: tenant.secretKey });
  const listed = await engine.api("POST", "/api/v1/keys", {
    token: tenant.secretKey,
    body: { kind: "publishable", allowedOrigins: ["https://clinic.example.com"] },
  });

  const preflight = (origin: string) =>
    engine.api("OPTIONS", `/v1/widget/${tenant.code}/bookings`, {
      headers: { origin, "access-control-request-method": "POST" },
    });
  const good = await preflight("https://clinic.example.com");
  assert.is(good.status, 204);
  assert.is(good.headers.get("access-control-allow-origin"), "https://clinic.example.com");
  assert.match(good.headers.get("access-control-allow-headers") ?? "", /idempotency-key/);
  const bad = await preflight("https://evil.example.net");
  assert.is(bad.headers.get("access-control-allow-origin"), null);

  const call = await engine.api("GET", `/v1/widget/${tenant.code}/config`, {
    headers: { origin: "https://clinic.example.com", "x-api-key": listed.body.key },
  });
  assert.is(call.status, 200);
  assert.is(call.headers.get("access-control-allow-origin"), "https://clinic.example.com");
  const exposed = call.headers.get("access-control-expose-headers") ?? "";
  assert.ok(exposed.includes("RateLimit-Remaining"), "the widget can read its rate limit");
  assert.ok(exposed.includes("Retry-After"));
});

cors.run();
