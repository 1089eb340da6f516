import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Tenant } from "../../src/store/entities/index.js";
import { renderBrandingCss } from "../../src/tenants/branding-css.js";
import { createOffer } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { signUpTenant, startTestEngine, type TestEngine } from "../support/engine.js";
import { snapshotTables } from "../support/table-snapshot.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

let codes = 0;
const nextCode = (name: string) => `onb-${name}-${++codes}`;

async function staffTokenOf(engine: TestEngine, code: string, email: string, password: string) {
  const login = await engine.api("POST", "/api/v1/auth/login", {
    body: { tenantCode: code, email, password },
  });
  assert.is(login.status, 200);
  return login.body.token as string;
}

/**
 * A GET with an If-None-Match header, over node:http: fetch turns such a request into a
 * no-cache one (as the Fetch standard says), which a server must answer in full.
 */
async function conditionalGet(url: string, etag: string): Promise<number> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { headers: { "if-none-match": etag } });
    outgoing.on("response", (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

const unbranded = {
  primaryColor: null,
  secondaryColor: null,
  logoUrl: null,
  fontFamily: null,
  cornerRadius: null,
  locale: "en",
};

const css = suite("tenants: branding stylesheet");

css("sets every property, with defaults for what is unset", () => {
  const sheet = renderBrandingCss(unbranded);
  assert.match(sheet, /^:root,\n:host \{/);
  for (const name of ["primary", "secondary", "font", "radius", "logo-url"]) {
    assert.match(sheet, `--vbwd-${name}: `);
  }
  assert.match(sheet, "--vbwd-logo-url: none;");
  assert.match(sheet, "--vbwd-radius: 8px;");
});

css("refuses values that could break out of the declaration, whatever the database holds", () => {
  const sheet = renderBrandingCss({
    primaryColor: "red;} body{display:none",
    secondaryColor: "#12345g",
    logoUrl: 'https://x.test/a.png") ;} :root{--evil:1}/*\n',
    fontFamily: 'Inter"; } body { color: red',
    cornerRadius: 9999,
    locale: "en",
  });
  assert.not.match(sheet, "display:none");
  assert.not.match(sheet, "color: red");
  const logoLine = sheet.split("\n").find((line) => line.includes("--vbwd-logo-url"))!;
  assert.is(logoLine.split('"').length, 3, "only the string's own quotes");
  assert.is(sheet.split("{").length, 2, "one rule only");
  assert.is(sheet.split("}").length, 2);
  assert.match(sheet, "--vbwd-primary: #2563eb;");
  assert.match(sheet, "--vbwd-secondary: #10b981;");
  assert.match(sheet, "--vbwd-radius: 8px;");
  assert.match(sheet, '--vbwd-logo-url: url("https://x.test/a.png\\22 \\29 \\20 ;\\7d ');
});

css("keeps valid branding as given", () => {
  const sheet = renderBrandingCss({
    primaryColor: "#0B6E4F",
    secondaryColor: "#ffaa00",
    logoUrl: "https://cdn.example.org/logo.png",
    fontFamily: '"Helvetica Neue", Arial, sans-serif',
    cornerRadius: 0,
    locale: "de",
  });
  assert.match(sheet, "--vbwd-primary: #0b6e4f;");
  assert.match(sheet, "--vbwd-secondary: #ffaa00;");
  assert.match(sheet, '--vbwd-font: "Helvetica Neue", Arial, sans-serif;');
  assert.match(sheet, "--vbwd-radius: 0px;");
  assert.match(sheet, '--vbwd-logo-url: url("https://cdn.example.org/logo.png");');
});

css.run();

for (const dialect of dialectsUnderTest()) {
  const onboarding = suite<Context>(`gateway: onboarding and branding.css (${dialect.name})`);

  onboarding.before(async (context) => {
    context.scratch = await dialect.create("onboarding");
    context.engine = await startTestEngine(context.scratch.target);
  });

  onboarding.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  onboarding(
    "demo data fills an empty account once; the second call is 409 and changes nothing",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, nextCode("demo"));
      const staff = await staffTokenOf(engine, tenant.code, tenant.email, tenant.password);
      const loaded = await engine.api("POST", "/api/v1/tenant/demo-data", { token: staff });
      assert.is(loaded.status, 201, JSON.stringify(loaded.body));
      assert.is(loaded.body.bookings.length, 3);
      assert.equal(loaded.body.service.calendarIds, [loaded.body.calendar.id]);
      assert.ok(loaded.body.bookings.every((b: { status: string }) => b.status === "confirmed"));

      const calendars = await engine.api("GET", "/api/v1/calendars", { token: tenant.secretKey });
      assert.equal(
        calendars.body.data.map((c: { id: string }) => c.id),
        [loaded.body.calendar.id],
      );
      const bookings = await engine.api("GET", "/api/v1/bookings", { token: tenant.secretKey });
      assert.is(bookings.body.data.length, 3);
      const usage = await engine.api("GET", "/api/v1/usage", { token: tenant.secretKey });
      assert.is(usage.body.bookings.used, 3, "demo bookings are metered like any other");

      const db = engine.engine.services.db;
      const before = await snapshotTables(db);
      const again = await engine.api("POST", "/api/v1/tenant/demo-data", {
        token: tenant.secretKey,
      });
      assert.is(again.status, 409);
      assert.is(again.body.error.code, "conflict");
      assert.is(await snapshotTables(db), before);
    },
  );

  onboarding(
    "a tenant that set up its own calendar is refused; demo data stays in its tenant",
    async ({ engine }) => {
      const busy = await signUpTenant(engine, nextCode("busy"));
      await createOffer(engine, busy);
      const refused = await engine.api("POST", "/api/v1/tenant/demo-data", {
        token: busy.secretKey,
      });
      assert.is(refused.status, 409);

      const empty = await signUpTenant(engine, nextCode("empty"));
      const loaded = await engine.api("POST", "/api/v1/tenant/demo-data", {
        token: empty.secretKey,
      });
      assert.is(loaded.status, 201);
      const busyBookings = await engine.api("GET", "/api/v1/bookings", { token: busy.secretKey });
      assert.is(busyBookings.body.data.length, 0, "the other tenant sees none of them");
      const foreign = await engine.api("GET", `/api/v1/calendars/${loaded.body.calendar.id}`, {
        token: busy.secretKey,
      });
      assert.is(foreign.status, 404);
      const byKey = await engine.api("POST", "/api/v1/tenant/demo-data", {
        token: empty.publishableKey,
      });
      assert.is(byKey.status, 403, "a publishable key cannot load demo data");
    },
  );

  onboarding(
    "branding.css is public, cacheable with an ETag and follows branding changes",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, nextCode("css"));
      const path = `${engine.url}/v1/widget/${tenant.code}/branding.css`;
      const first = await fetch(path);
      assert.is(first.status, 200);
      assert.match(first.headers.get("content-type") ?? "", "text/css");
      assert.match(first.headers.get("cache-control") ?? "", "public");
      const etag = first.headers.get("etag");
      assert.ok(etag);
      assert.match(await first.text(), "--vbwd-primary: #2563eb;");
      assert.is(await conditionalGet(path, etag!), 304);

      const changed = await engine.api("PATCH", "/api/v1/tenant/branding", {
        token: tenant.secretKey,
        body: { primaryColor: "#AA0011", fontFamily: "Georgia, serif", cornerRadius: 4 },
      });
      assert.is(changed.status, 200);
      assert.is(await conditionalGet(path, etag!), 200, "a change makes a new ETag");
      const after = await fetch(path);
      assert.is(after.headers.get("access-control-allow-origin"), "*");
      const sheet = await after.text();
      assert.match(sheet, "--vbwd-primary: #aa0011;");
      assert.match(sheet, "--vbwd-font: Georgia, serif;");
      assert.match(sheet, "--vbwd-radius: 4px;");

      const missing = await fetch(`${engine.url}/v1/widget/no-such-tenant/branding.css`);
      assert.is(missing.status, 404);
      const refusal = (await missing.json()) as { error: { code: string } };
      assert.is(refusal.error.code, "tenant_not_found");
    },
  );

  onboarding(
    "branding.css escapes a stored value the API would never accept",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, nextCode("evil"));
      const em = engine.engine.services.db.fork();
      const row = await em.findOneOrFail(Tenant, { tenantCode: tenant.code });
      row.primaryColor = "red;}{}";
      row.logoUrl = 'https://e.test/")}*{color:red}';
      await em.flush();
      engine.engine.services.identities.invalidate({ kind: "tenant", id: row.id });
      const sheet = await (
        await fetch(`${engine.url}/v1/widget/${tenant.code}/branding.css`)
      ).text();
      assert.is(sheet.split("}").length, 2, sheet);
      assert.is(sheet.split("{").length, 2, sheet);
      assert.match(sheet, "--vbwd-primary: #2563eb;");
    },
  );

  onboarding.run();
}
