import { execFileSync } from "node:child_process";
import { readFileSync, renameSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { DemoCredentials } from "../../src/tenants/demo-tenant.js";
import { bookingBody } from "../support/booking-fixtures.js";
import { chromiumInstalled, launchChromium } from "../support/browser.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { startTestEngine, type ApiAnswer, type TestEngine } from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  credentials: DemoCredentials;
  browser: Browser;
  /** Every visitor's browser context opened by the running test, closed after it. */
  visitors: BrowserContext[];
  pageErrors: string[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** How long a live change may take to show where no tighter bound is promised. */
const liveMs = 3000;
/** A hold placed by one visitor reaches another's page within this. */
const holdShownMs = 1000;
const widget = "#booking";
const timeButton = (start: string) => `${widget} .times [data-start="${start}"]`;

if (chromiumInstalled("demo clinic page browser suite")) {
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
  const test = suite<Context>("demo page: the clinic website embedding the widget (sqlite)");

  test.before(async (context) => {
    // Built up front: the engine would build it on the first request, slower than a page load.
    execFileSync(process.execPath, [join(root, "scripts", "build-widget.mjs")], { cwd: root });
    context.scratch = await sqlite.create("demo-page");
    context.engine = await startTestEngine(context.scratch.target, { DEMO_TENANT: "true" });
    const file = join(context.engine.config.dataDir, "demo-credentials.json");
    context.credentials = JSON.parse(readFileSync(file, "utf8")) as DemoCredentials;
    context.browser = await launchChromium();
    context.pageErrors = [];
    context.visitors = [];
  });

  test.after.each(async (context) => {
    await Promise.all(context.visitors.map((visitor) => visitor.close()));
    context.visitors = [];
  });

  test.after(async ({ browser, engine, scratch }) => {
    await browser?.close();
    await engine?.stop();
    await scratch?.drop();
  });

  test("serves the page, its own files and the demo tenant's widget settings", async (context) => {
    const { engine, credentials } = context;
    const page = await fetch(`${engine.url}/demo/clinic`);
    assert.is(page.status, 200);
    assert.match(page.headers.get("content-type") ?? "", "text/html");
    const html = await page.text();
    assert.match(html, "Harbour Clinic");
    assert.match(html, '<script src="/widget/v1/vbwd-widget.js"');
    assert.not.match(html, /<script(?![^>]*\bsrc=)[^>]*>/, "no inline script (the CSP forbids it)");

    const settings = await fetch(`${engine.url}/demo/clinic/settings.json`);
    assert.is(settings.status, 200);
    assert.equal(await settings.json(), {
      tenantId: "demo",
      apiKey: credentials.publishableKey,
      baseUrl: engine.url,
    });
    const styles = await fetch(`${engine.url}/demo/clinic/clinic.css`);
    assert.match(styles.headers.get("content-type") ?? "", "text/css");
    const script = await fetch(`${engine.url}/demo/clinic/clinic.js`);
    assert.match(script.headers.get("content-type") ?? "", "text/javascript");

    for (const path of ["/demo/clinic/other.js", "/demo/clinic/..%2fclinic.html"]) {
      const missing = await engine.api("GET", path);
      assert.is(missing.status, 404, path);
      assert.is(missing.body.error.code, "not_found");
    }
    const posted = await engine.api("POST", "/demo/clinic", { body: {} });
    assert.is(posted.status, 405);
  });

  test("the page shows the demo calendar's bookable times on a weekday", async (context) => {
    const page = await openVisitor(context);
    assert.is(await page.locator("h1").innerText(), "Unhurried care, booked in a minute.");
    assert.match(await page.locator("#hours").innerText(), "Monday – Friday");

    const day = await chooseServiceAndFreeDay(page);
    const starts = await freeTimes(page);
    assert.ok(starts.length > 0, `no times shown on ${day}`);
    for (const start of starts) {
      const { weekday, hour } = berlinTime(start);
      assert.ok(!["Sat", "Sun"].includes(weekday), `${start} is on a ${weekday}`);
      assert.ok(hour >= 9 && hour < 17, `${start} is outside opening hours`);
    }
    assert.is(await page.locator("#booking-status").isHidden(), true);
  });

  test("a time held by one visitor leaves another's page within 1 s and returns on Back", async (context) => {
    const first = await openVisitor(context);
    const second = await openVisitor(context);
    const day = await chooseServiceAndFreeDay(first);
    await chooseServiceAndFreeDay(second, day);
    const start = (await freeTimes(first))[0]!;
    await second.locator(timeButton(start)).waitFor();

    await first.locator(timeButton(start)).click();
    await first.locator(`${widget} form`).waitFor({ timeout: liveMs });
    await second.locator(timeButton(start)).waitFor({ state: "detached", timeout: holdShownMs });
    assert.ok((await freeTimes(second)).length > 0, "the other times stay on the page");

    await first.locator(widget).getByRole("button", { name: "Back" }).click();
    await second.locator(timeButton(start)).waitFor({ timeout: holdShownMs });
    assert.ok(await first.locator(timeButton(start)).isVisible());
  });

  test("a booking by another customer over REST takes the time off the page", async (context) => {
    const { engine, credentials } = context;
    const page = await openVisitor(context);
    await chooseServiceAndFreeDay(page);
    const start = (await freeTimes(page)).at(-1)!;

    const made = await engine.api("POST", "/api/v1/bookings", {
      token: credentials.secretKey,
      body: bookingBody(credentials.calendarId, credentials.serviceId, start, 1),
    });
    assert.is(made.status, 201);
    await page.locator(timeButton(start)).waitFor({ state: "detached", timeout: liveMs });
    assert.not.ok((await freeTimes(page)).includes(start));
  });

  test("answers 404 saying how to turn it on when the demo tenant is off", async (context) => {
    const scratch = await sqlite.create("demo-page-off");
    const engine = await startTestEngine(scratch.target, { DEMO_TENANT: "false" });
    try {
      for (const path of ["/demo/clinic", "/demo/clinic/settings.json", "/demo/clinic/clinic.js"]) {
        const answer = await engine.api("GET", path);
        assertDemoOff(answer, path);
      }
    } finally {
      await engine.stop();
      await scratch.drop();
    }

    // With the tenant on but its credentials file gone, the page cannot know the key either.
    const file = join(context.engine.config.dataDir, "demo-credentials.json");
    renameSync(file, `${file}.away`);
    try {
      assertDemoOff(await context.engine.api("GET", "/demo/clinic"), "file missing");
    } finally {
      renameSync(`${file}.away`, file);
    }
    assert.is((await fetch(`${context.engine.url}/demo/clinic`)).status, 200);
  });

  test("no page script failed in any test", ({ pageErrors }) => {
    assert.equal(pageErrors, []);
  });

  test.run();
}

/** A new visitor (own cookies and sockets) in Berlin, with the clinic page open. */
async function openVisitor(context: Context & { __test__: string }): Promise<Page> {
  const visitor = await context.browser.newContext({
    timezoneId: "Europe/Berlin",
    locale: "en-GB",
  });
  context.visitors.push(visitor);
  const page = await visitor.newPage();
  const name = context.__test__;
  page.on("pageerror", (error) => context.pageErrors.push(`${name}: ${error.message}`));
  // A refused script or socket (the page's Content-Security-Policy) shows as a console error.
  page.on("console", (message) => {
    if (message.type() === "error") context.pageErrors.push(`${name}: ${message.text()}`);
  });
  await page.goto(`${context.engine.url}/demo/clinic`);
  await page.locator(`${widget} .services button`).first().waitFor({ timeout: liveMs });
  return page;
}

/**
 * Chooses the consultation and opens `date`, or else a day with free times after today (in
 * the next month when this one has none left), and answers the day chosen.
 */
async function chooseServiceAndFreeDay(page: Page, date?: string): Promise<string> {
  const scope = page.locator(widget);
  await scope.locator(".services button").first().click();
  await scope.locator(".day[data-free]").first().waitFor({ timeout: liveMs });
  const wanted = date ? `[data-date="${date}"]` : ":not([aria-current])";
  const day = scope.locator(`.day[data-free]${wanted}`).first();
  if ((await day.count()) === 0) {
    await scope.locator('[data-key="next-month"]').click();
    await day.waitFor({ timeout: liveMs });
  }
  const chosen = (await day.getAttribute("data-date"))!;
  await day.click();
  await scope.locator(".times button").first().waitFor({ timeout: liveMs });
  return chosen;
}

/** The starts of the times shown on the open day. */
function freeTimes(page: Page): Promise<string[]> {
  return page
    .locator(`${widget} .times [data-start]`)
    .evaluateAll((buttons) => buttons.map((button) => button.getAttribute("data-start")!));
}

/** The weekday and hour of an instant on the demo calendar's clock. */
function berlinTime(iso: string): { weekday: string; hour: number } {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Berlin",
    weekday: "short",
    hour: "2-digit",
    hourCycle: "h23",
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((entry) => entry.type === type)!.value;
  return { weekday: part("weekday"), hour: Number(part("hour")) };
}

function assertDemoOff(answer: ApiAnswer, what: string): void {
  assert.is(answer.status, 404, what);
  assert.is(answer.body.error.code, "not_found", what);
  assert.match(answer.body.error.message, "DEMO_TENANT=true", what);
}
