import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { openApiPath } from "../../src/gateway/openapi/openapi-document.js";
import { restRoutes, restTags } from "../../src/gateway/rest/rest-routes.js";
import { chromiumInstalled, launchChromium } from "../support/browser.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { repoRoot } from "../support/engine-process.js";
import {
  callApi,
  checkAnswer,
  signUpTenant,
  startTestEngine,
  type TestEngine,
} from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

const [sqlite] = dialectsUnderTest();
const openapi = suite<Context>("gateway: OpenAPI document and docs page");

openapi.before(async (context) => {
  context.scratch = await sqlite!.create("openapi");
  context.engine = await startTestEngine(context.scratch.target);
});

openapi.after(async ({ engine, scratch }) => {
  await engine.stop();
  await scratch.drop();
});

/** Runs `redocly lint` on a file with the repository's ruleset; resolves its exit code. */
function lint(file: string): Promise<{ code: number; output: string }> {
  const redocly = join(repoRoot, "node_modules", ".bin", "redocly");
  const args = ["lint", file, "--config", join(repoRoot, "redocly.yaml")];
  const env = { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" };
  return new Promise((resolve) => {
    execFile(redocly, args, { env, timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
      resolve({ code, output: `${stdout}${stderr}` });
    });
  });
}

openapi("is a valid OpenAPI 3.1 document by redocly's recommended rules", async ({ engine }) => {
  const answer = await engine.api("GET", "/openapi.json");
  assert.is(answer.status, 200);
  assert.is(answer.body.openapi, "3.1.0");
  assert.equal(answer.body.servers, [{ url: engine.url }]);

  const folder = mkdtempSync(join(tmpdir(), "vbwd-openapi-"));
  try {
    const file = join(folder, "openapi.json");
    writeFileSync(file, JSON.stringify(answer.body));
    const { code, output } = await lint(file);
    assert.is(code, 0, output);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

openapi("lists every REST route under its command's name", async ({ engine }) => {
  const { body } = await engine.api("GET", "/openapi.json");
  const operationIds = new Set<string>();
  for (const route of restRoutes) {
    const operation = body.paths[openApiPath(route.path)]?.[route.method];
    assert.ok(operation, `${route.method} ${route.path} is missing`);
    assert.is(operation.operationId, route.operationId ?? route.command.name);
    assert.is(operation.summary, route.command.summary);
    assert.ok(operation.responses[String(route.status ?? 200)], `${route.path} has no success`);
    assert.is(operation.responses["4XX"].$ref, "#/components/responses/Error");
    operationIds.add(operation.operationId);
  }
  assert.is(operationIds.size, restRoutes.length, "operation ids are not unique");
});

openapi("describes parameters, bodies and security from the commands", async ({ engine }) => {
  const { body } = await engine.api("GET", "/openapi.json");
  const availability = body.paths["/api/v1/calendars/{calendarId}/availability"].get;
  const names = availability.parameters.map(
    (p: { name: string; in: string }) => `${p.in}:${p.name}`,
  );
  assert.equal(names, ["path:calendarId", "query:serviceId", "query:from", "query:to"]);

  const reschedule = body.paths["/api/v1/bookings/{id}/reschedule"].post;
  const schema = reschedule.requestBody.content["application/json"].schema;
  assert.equal(Object.keys(schema.properties), ["start"]);
  assert.equal(schema.required, ["start"]);

  const booking = body.paths["/api/v1/bookings"].post;
  assert.ok(booking.parameters.some((p: { name: string }) => p.name === "Idempotency-Key"));
  assert.ok(booking.responses["201"].content["application/json"].schema.properties.customer);
  assert.equal(body.paths["/api/v1/signup"].post.security, []);
  assert.ok(body.components.securitySchemes.bearer);
  assert.is(body.components.securitySchemes.apiKey.name, "X-API-Key");
});

openapi("answers are checked against the document", async ({ engine }) => {
  // callApi checks each answer; this one is a 201 signup and a 401 in the Error shape.
  const tenant = await signUpTenant(engine, "openapi-check");
  const refused = await engine.api("GET", "/api/v1/bookings", { token: "sk_test_nothing" });
  assert.is(refused.status, 401);
  const listed = await engine.api("GET", "/api/v1/calendars", { token: tenant.secretKey });
  assert.equal(listed.body, { data: [] });
});

openapi("an answer of the wrong shape fails the call that got it", async ({ engine }) => {
  const answer = (status: number, body: unknown) => ({ status, headers: new Headers(), body });
  const wrongBooking = answer(201, { id: 7, status: "confirmed" });
  await rejects(checkAnswer(engine.url, "POST", "/api/v1/bookings", wrongBooking), /bookings/);
  const wrongError = answer(409, { error: { code: "slot_unavailable" } });
  await rejects(checkAnswer(engine.url, "POST", "/api/v1/holds", wrongError), /Error shape/);
  const undocumented = answer(200, {});
  await rejects(checkAnswer(engine.url, "GET", "/api/v1/nowhere", undocumented), /no such/);
  await checkAnswer(engine.url, "GET", "/api/v1/calendars", answer(200, { data: [] }));
});

async function rejects(promise: Promise<unknown>, message: RegExp): Promise<void> {
  try {
    await promise;
  } catch (err) {
    assert.match((err as Error).message, message);
    return;
  }
  assert.unreachable(`expected a rejection matching ${message}`);
}

openapi("serves the docs page and its files from widget/docs", async ({ engine }) => {
  const page = await callApi(engine.url, "GET", "/docs");
  assert.is(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  assert.match(page.body, /<script type="module" src="\/docs\/docs.js">/);
  assert.not.match(page.body, /<script>/);

  const script = await callApi(engine.url, "GET", "/docs/docs.js");
  assert.is(script.status, 200);
  assert.match(script.headers.get("content-type") ?? "", /javascript/);
  assert.match(script.body, /openapi\.json/);
  const style = await callApi(engine.url, "GET", "/docs/docs.css");
  assert.match(style.headers.get("content-type") ?? "", /text\/css/);

  const outside = await callApi(engine.url, "GET", "/docs/..%2Fpackage.json");
  assert.is(outside.status, 404);
  assert.is(outside.body.error.code, "not_found");
});

if (chromiumInstalled("the docs page in a browser")) {
  openapi("the docs page lists every operation by tag, with no script refused", async (context) => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const problems: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") problems.push(message.text());
      });
      page.on("pageerror", (err) => problems.push(err.message));
      await page.goto(`${context.engine.url}/docs`);
      await page.waitForSelector("[data-testid=operations][aria-busy=false]");

      const operations = await page.locator("details.operation").count();
      assert.is(operations, restRoutes.length);
      const tags = await page.locator("section.tag h2").allTextContents();
      assert.equal(tags, Object.keys(restTags));
      const signup = page.locator('details[data-operation-id="tenants.signup"]');
      assert.match(await signup.locator("summary").innerText(), /\/api\/v1\/signup/);
      assert.equal(problems, []);
    } finally {
      await browser.close();
    }
  });
}

openapi.run();
