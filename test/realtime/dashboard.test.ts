import type { Browser, BrowserContext, Page } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { chromiumInstalled, launchChromium } from "../support/browser.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  browser: Browser;
  tenant: TestTenant;
  offer: { calendarId: string; serviceId: string };
  tab: BrowserContext;
  page: Page;
  /** Uncaught errors of the page's scripts in every test so far; the last test wants none. */
  pageErrors: string[];
}

// A zone without daylight saving and with a half-hour offset shows that times are converted.
const browserZone = "Asia/Kolkata";
const zoneOffsetMs = 5.5 * 3_600_000;
/** Live changes must show within this long of the REST answer. */
const liveMs = 1000;

const row = (id: string) => `[data-testid="booking-row"][data-booking-id="${id}"]`;
const holdRow = (id: string) => `[data-testid="hold-row"][data-hold-id="${id}"]`;

if (chromiumInstalled("dashboard browser suite")) {
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
  const dashboard = suite<Context>("realtime: the staff dashboard in Chromium (sqlite)");

  dashboard.before(async (context) => {
    context.scratch = await sqlite.create("dashboard");
    context.engine = await startTestEngine(context.scratch.target);
    context.tenant = await signUpTenant(context.engine, "dashboard-clinic");
    context.offer = await createOffer(context.engine, context.tenant);
    context.browser = await launchChromium();
    context.pageErrors = [];
  });

  dashboard.before.each(async (context) => {
    context.tab = await context.browser.newContext({ timezoneId: browserZone, locale: "en-GB" });
    context.page = await context.tab.newPage();
    const test = context.__test__;
    context.page.on("pageerror", (error) => context.pageErrors.push(`${test}: ${error.message}`));
  });

  dashboard.after.each(async ({ tab }) => {
    await tab?.close();
  });

  dashboard.after(async ({ browser, engine, scratch }) => {
    await browser?.close();
    await engine?.stop();
    await scratch?.drop();
  });

  dashboard("a booking made over REST shows within a second and is counted", async (context) => {
    const { page } = context;
    await logIn(context);
    const before = await counter(page, "count-week");

    const made = await book(context, slotAt("10:00", 1), "Ada Lovelace");

    await page.waitForSelector(row(made.id), { timeout: liveMs });
    const shown = page.locator(row(made.id));
    assert.match(await shown.innerText(), "Ada Lovelace");
    assert.is(await shown.getAttribute("data-status"), "confirmed");
    assert.match(await shown.getByTestId("booking-when").innerText(), "15:30–16:00");
    const group = page.locator('[data-testid="calendar-group"]', { has: shown });
    assert.is(await group.locator("h3").innerText(), "Room");
    assert.is(await counter(page, "count-week"), before + 1);
  });

  dashboard(
    "cancelling from the page shows the row cancelled, and the engine agrees",
    async (context) => {
      const { engine, tenant, page } = context;
      await logIn(context);
      const made = await book(context, slotAt("11:00", 1), "Grace Hopper");
      await page.waitForSelector(row(made.id), { timeout: liveMs });
      const before = await counter(page, "count-week");

      await page
        .locator(row(made.id))
        .getByRole("button", { name: /^Cancel the booking/ })
        .click();

      await page.waitForSelector(`${row(made.id)}[data-status="cancelled"]`, { timeout: liveMs });
      const status = page.locator(row(made.id)).getByTestId("booking-status");
      assert.is(await status.innerText(), "cancelled");
      assert.is(await counter(page, "count-week"), before - 1);
      const stored = await engine.api("GET", `/api/v1/bookings/${made.id}`, {
        token: tenant.secretKey,
      });
      assert.is(stored.body.status, "cancelled");
    },
  );

  dashboard(
    "rescheduling from the page moves the booking to the chosen local time",
    async (context) => {
      const { engine, tenant, page } = context;
      await logIn(context);
      const made = await book(context, slotAt("14:00", 1), "Katherine Johnson");
      await page.waitForSelector(row(made.id), { timeout: liveMs });
      const target = slotAt("15:00", 1);

      const shown = page.locator(row(made.id));
      await shown.getByLabel("New start").fill(localInputValue(target));
      await shown.getByRole("button", { name: /^Reschedule/ }).click();

      const when = shown.getByTestId("booking-when").filter({ hasText: "20:30–21:00" });
      await when.waitFor({ timeout: liveMs });
      const stored = await engine.api("GET", `/api/v1/bookings/${made.id}`, {
        token: tenant.secretKey,
      });
      assert.is(stored.body.start, target);
      assert.is(stored.body.status, "confirmed");
    },
  );

  dashboard(
    "a no-show before the start is refused, with the engine's reason in the row",
    async (context) => {
      const { page } = context;
      await logIn(context);
      const made = await book(context, slotAt("16:00", 1), "Alan Turing");
      await page.waitForSelector(row(made.id), { timeout: liveMs });

      await page
        .locator(row(made.id))
        .getByRole("button", { name: /no-show$/ })
        .click();

      const refusal = page.locator(row(made.id)).getByTestId("booking-error");
      await refusal.waitFor({ state: "visible", timeout: liveMs });
      assert.match(await refusal.innerText(), "has not started yet");
      assert.is(await page.locator(row(made.id)).getAttribute("data-status"), "confirmed");
    },
  );

  dashboard(
    "a hold placed over REST shows live with a countdown and goes when released",
    async (context) => {
      const { engine, tenant, offer, page } = context;
      await logIn(context);
      assert.is(await counter(page, "count-holds"), 0);

      const hold = await engine.api("POST", "/api/v1/holds", {
        token: tenant.secretKey,
        body: { ...offer, start: slotAt("12:00", 1) },
      });
      assert.is(hold.status, 201);

      await page.waitForSelector(holdRow(hold.body.id), { timeout: liveMs });
      const countdown = page.locator(holdRow(hold.body.id)).getByTestId("hold-countdown");
      assert.match(await countdown.innerText(), /^expires in \d+:\d\d$/);
      assert.is(await counter(page, "count-holds"), 1);

      const released = await engine.api("DELETE", `/api/v1/holds/${hold.body.id}`, {
        token: tenant.secretKey,
      });
      assert.is(released.status, 200);
      await page.waitForSelector(holdRow(hold.body.id), { state: "detached", timeout: liveMs });
      assert.is(await counter(page, "count-holds"), 0);
    },
  );

  dashboard("a wrong password shows the engine's message and no dashboard", async (context) => {
    const { page, tenant } = context;
    await openLoginForm(context);

    await fillLogin(page, tenant, "not the password");

    const error = page.getByTestId("error");
    await error.waitFor({ state: "visible", timeout: liveMs });
    assert.match(await error.innerText(), "the credentials are unknown, revoked or expired");
    assert.ok(await page.getByTestId("dashboard").isHidden());
    assert.ok(await page.getByTestId("login-form").isVisible());
    assert.is(await page.evaluate<number>("sessionStorage.length"), 0);
  });

  dashboard("the session outlives a reload and ends at logout", async (context) => {
    const { page } = context;
    await logIn(context);

    await page.reload();
    await page.waitForSelector('[data-testid="connection"][data-state="live"]');
    assert.ok(await page.getByTestId("login").isHidden());

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByTestId("login-form").waitFor({ state: "visible" });
    assert.ok(await page.getByTestId("dashboard").isHidden());
    assert.is(await page.evaluate<number>("sessionStorage.length"), 0);
  });

  dashboard("a token the engine refuses sends the page back to the login form", async (context) => {
    const { page } = context;
    await openLoginForm(context);
    const forged = { token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", email: "x@y.z" };
    await page.evaluate(
      `sessionStorage.setItem("vbwd.dashboard.session", ${JSON.stringify(JSON.stringify(forged))})`,
    );

    await page.reload();

    const error = page.getByTestId("error");
    await error.waitFor({ state: "visible", timeout: liveMs });
    assert.match(await error.innerText(), "invalid_credentials");
    assert.ok(await page.getByTestId("login-form").isVisible());
    assert.ok(await page.getByTestId("dashboard").isHidden());
    assert.is(await page.evaluate<number>("sessionStorage.length"), 0);
  });

  dashboard("the page's scripts threw nothing in any test above", ({ pageErrors }) => {
    assert.equal(pageErrors, []);
  });

  dashboard.run();
}

async function openLoginForm({ page, engine }: Context): Promise<void> {
  await page.goto(`${engine.url}/dashboard`);
  await page.getByTestId("login-form").waitFor({ state: "visible" });
}

async function fillLogin(page: Page, tenant: TestTenant, password: string): Promise<void> {
  await page.getByLabel("Tenant code").fill(tenant.code);
  await page.getByLabel("Email").fill(tenant.email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Logs in as the tenant's owner and waits for the first load and the live feed. */
async function logIn(context: Context): Promise<void> {
  const { page, tenant } = context;
  await openLoginForm(context);
  await fillLogin(page, tenant, tenant.password);
  await page.waitForSelector('[data-testid="dashboard"][data-loaded="true"]');
  await page.waitForSelector('[data-testid="connection"][data-state="live"]');
}

async function book(context: Context, start: string, name: string): Promise<{ id: string }> {
  const { engine, tenant, offer } = context;
  const body = bookingBody(offer.calendarId, offer.serviceId, start);
  const made = await engine.api("POST", "/api/v1/bookings", {
    token: tenant.secretKey,
    body: { ...body, customer: { name, email: "customer@example.org" } },
  });
  assert.is(made.status, 201, JSON.stringify(made.body));
  return made.body;
}

async function counter(page: Page, testId: string): Promise<number> {
  return Number(await page.getByTestId(testId).innerText());
}

/** What a `datetime-local` input in the browser's zone shows for an instant. */
function localInputValue(iso: string): string {
  return new Date(Date.parse(iso) + zoneOffsetMs).toISOString().slice(0, 16);
}
