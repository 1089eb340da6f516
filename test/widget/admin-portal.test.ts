import type { Browser, BrowserContext, Page } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { chromiumInstalled, launchChromium } from "../support/browser.js";
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
  browser: Browser;
  clinic: TestTenant;
  rival: TestTenant;
  tab: BrowserContext;
  page: Page;
  pageErrors: string[];
}

const tenantRow = (code: string) => `[data-testid="tenant-row"][data-code="${code}"]`;

if (chromiumInstalled("admin portal browser suite")) {
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
  const test = suite<Context>("widget: the admin portal and analytics view in Chromium (sqlite)");

  test.before(async (context) => {
    context.scratch = await sqlite.create("admin-portal");
    context.engine = await startTestEngine(context.scratch.target);
    context.clinic = await signUpTenant(context.engine, "portal-clinic");
    context.rival = await signUpTenant(context.engine, "portal-rival");
    const offer = await createOffer(context.engine, context.clinic);
    for (const [n, time] of ["09:00", "10:00"].entries()) {
      const made = await context.engine.api("POST", "/api/v1/bookings", {
        token: context.clinic.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, slotAt(time), n),
      });
      assert.is(made.status, 201, JSON.stringify(made.body));
    }
    context.browser = await launchChromium();
    context.pageErrors = [];
  });

  test.before.each(async (context) => {
    context.tab = await context.browser.newContext({ locale: "en-US" });
    context.page = await context.tab.newPage();
    const name = context.__test__;
    context.page.on("pageerror", (error) => context.pageErrors.push(`${name}: ${error.message}`));
    context.page.on("console", (message) => {
      if (message.type() === "error") context.pageErrors.push(`${name}: ${message.text()}`);
    });
  });

  test.after.each(async ({ tab }) => {
    await tab?.close();
  });

  test.after(async ({ browser, engine, scratch }) => {
    await browser?.close();
    await engine?.stop();
    await scratch?.drop();
  });

  test("serves the portal with a strict content security policy", async ({ engine }) => {
    const answer = await fetch(`${engine.url}/admin`);
    assert.is(answer.status, 200);
    const csp = answer.headers.get("content-security-policy") ?? "";
    assert.match(csp, "script-src 'self'");
    assert.match(csp, "frame-ancestors 'none'");
    assert.is(answer.headers.get("x-frame-options"), "DENY");
    assert.is(answer.headers.get("referrer-policy"), "no-referrer");
    assert.not.match(await answer.text(), /<script>|<style>|\son[a-z]+=/);
    assert.is((await fetch(`${engine.url}/admin/admin.js`)).status, 200);
    assert.is((await fetch(`${engine.url}/admin/../package.json`)).status, 404);
    assert.is((await fetch(`${engine.url}/admin/secrets.json`)).status, 404);
  });

  test("a wrong token is refused and leaves the sign-in form", async ({ page, engine }) => {
    await signIn(page, engine, "not-the-admin-token");
    const error = page.getByTestId("error");
    await error.waitFor({ state: "visible" });
    assert.match(await error.innerText(), "refused");
    assert.ok(await page.getByTestId("portal").isHidden());
    assert.is(await page.evaluate(`sessionStorage.getItem("vbwd.admin.token")`), null);
  });

  test("lists tenants with plan, status and usage, and the MRR", async (context) => {
    const { page, engine, clinic } = context;
    await signIn(page, engine, testAdminToken);
    await page.waitForSelector('[data-testid="portal"][data-loaded="true"]');
    const row = page.locator(tenantRow(clinic.code));
    assert.is(await row.getByTestId("tenant-plan").innerText(), "starter");
    assert.is(await row.getByTestId("tenant-status").innerText(), "trial");
    assert.is(await row.getByTestId("tenant-usage").innerText(), "2 / 100");
    assert.is(await page.locator('[data-testid="tenant-row"]').count(), 2);
    // Both tenants are on trial: no revenue yet.
    assert.is(await page.getByTestId("mrr").innerText(), "$0.00");
    assert.is(await page.getByTestId("bookings-month").innerText(), "2");

    // The token outlives a reload of the tab.
    await page.reload();
    await page.waitForSelector('[data-testid="portal"][data-loaded="true"]');
  });

  test("changes a tenant's plan", async (context) => {
    const { page, engine, rival } = context;
    await signIn(page, engine, testAdminToken);
    await page.waitForSelector('[data-testid="portal"][data-loaded="true"]');
    const row = page.locator(tenantRow(rival.code));
    await row.getByTestId("plan-select").selectOption("business");
    await row.getByTestId("change-plan").click();
    await page.waitForSelector(
      `${tenantRow(rival.code)} [data-testid="tenant-plan"]:text("business")`,
    );
    const listed = await engine.api("GET", "/api/v1/admin/tenants", { token: testAdminToken });
    const tenant = listed.body.data.find((t: { code: string }) => t.code === rival.code);
    assert.is(tenant.plan, "business");
  });

  test("suspends a tenant, whose API then answers 402, and reactivates it", async (context) => {
    const { page, engine, rival } = context;
    await signIn(page, engine, testAdminToken);
    await page.waitForSelector('[data-testid="portal"][data-loaded="true"]');
    const row = page.locator(tenantRow(rival.code));
    await row.getByTestId("suspend").click();
    await page.waitForSelector(`${tenantRow(rival.code)} [data-status="suspended"]`);

    const refused = await engine.api("GET", "/api/v1/calendars", { token: rival.secretKey });
    assert.is(refused.status, 402);
    assert.is(refused.body.error.code, "tenant_suspended");

    await page.locator(tenantRow(rival.code)).getByTestId("reactivate").click();
    await page.waitForSelector(`${tenantRow(rival.code)} [data-status="active"]`);
    const served = await engine.api("GET", "/api/v1/calendars", { token: rival.secretKey });
    assert.is(served.status, 200);
    // Now an active tenant on the business plan: $199.00 a month.
    await page.waitForFunction(
      `document.querySelector('[data-testid="mrr"]')?.textContent === "$199.00"`,
    );
  });

  test("the dashboard's analytics view draws bars from the API", async (context) => {
    const { page, engine, clinic } = context;
    await logInToDashboard(page, engine, clinic);
    await page.getByTestId("nav-analytics").click();
    await page.waitForSelector('[data-testid="bookings-chart"] rect.bar', { state: "attached" });
    const bookings = await barValues(page, '[data-testid="bookings-chart"] rect.bar.series-0');
    assert.is(bookings.length, 30);
    assert.is(bookings.at(-1), 2, "today's two bookings");
    const revenue = await barValues(page, '[data-testid="revenue-chart"] rect.bar');
    assert.ok(
      revenue.every((value) => value === 0),
      "the bookings start after the window",
    );
    const rest = page.locator('[data-testid="protocol-chart"] rect[data-protocol="rest"]');
    assert.is(await rest.getAttribute("data-value"), "2");
    assert.ok(Number(await rest.getAttribute("width")) > 0);
    assert.is(await page.getByTestId("total-bookings").innerText(), "2");
    assert.ok(await page.locator("#holds-title").isHidden(), "the live board steps aside");

    await page.getByTestId("nav-analytics").click();
    assert.ok(await page.getByTestId("analytics").isHidden());
    assert.ok(await page.locator("#holds-title").isVisible());
  });

  test("the analytics view says so when the plan lacks it", async (context) => {
    const { page, engine } = context;
    const shop = await signUpTenant(engine, "portal-starter");
    const active = await engine.api("PATCH", `/api/v1/admin/tenants/${shop.code}`, {
      token: testAdminToken,
      body: { subscriptionStatus: "active" },
    });
    assert.is(active.status, 200);
    await logInToDashboard(page, engine, shop);
    await page.getByTestId("nav-analytics").click();
    const note = page.getByTestId("analytics-not-in-plan");
    await note.waitFor({ state: "visible" });
    assert.match(await note.innerText(), "not in your plan");
    assert.match(await note.innerText(), "starter");
  });

  test("no page had a script error", ({ pageErrors }) => {
    // The refused token's 401 is logged by Chromium as a failed resource; nothing else may be.
    const unexpected = pageErrors.filter((error) => !/status of 40[13]/.test(error));
    assert.equal(unexpected, []);
  });

  test.run();
}

async function signIn(page: Page, engine: TestEngine, token: string): Promise<void> {
  await page.goto(`${engine.url}/admin`);
  await page.getByTestId("login-form").waitFor({ state: "visible" });
  await page.getByLabel("Admin token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function logInToDashboard(page: Page, engine: TestEngine, tenant: TestTenant) {
  await page.goto(`${engine.url}/dashboard`);
  await page.getByLabel("Tenant code").fill(tenant.code);
  await page.getByLabel("Email").fill(tenant.email);
  await page.getByLabel("Password").fill(tenant.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForSelector('[data-testid="dashboard"][data-loaded="true"]');
}

async function barValues(page: Page, selector: string): Promise<number[]> {
  return page.$$eval(selector, (bars) => bars.map((bar) => Number(bar.getAttribute("data-value"))));
}
