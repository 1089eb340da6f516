import { AxeBuilder } from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { chromiumInstalled, launchChromium } from "../support/browser.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";

/** A tenant the host page embeds, with a key for the page's origin and one offer. */
interface Shop {
  tenant: TestTenant;
  pageKey: string;
  calendarId: string;
  serviceId: string;
}

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  host: Server;
  hostOrigin: string;
  browser: Browser;
  /** Lets customers cancel and move bookings (the defaults). */
  clinic: Shop;
  /** Lets customers change nothing themselves. */
  strict: Shop;
  tab: BrowserContext;
  page: Page;
  pageErrors: string[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const fixture = readFileSync(join(root, "test", "widget", "fixtures", "host-page.html"), "utf8");
// Times show in a zone with a half-hour offset, as in the widget suite: 10:00Z is 15:30 there.
const browserZone = "Asia/Kolkata";
const liveMs = 3000;
const scope = "#first-widget";

if (chromiumInstalled("widget manage-view browser suite")) {
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
  const test = suite<Context>("widget: customers cancel and move their booking (sqlite)");

  test.before(async (context) => {
    execFileSync(process.execPath, [join(root, "scripts", "build-widget.mjs")], { cwd: root });
    context.scratch = await sqlite.create("widget-manage");
    context.engine = await startTestEngine(context.scratch.target);
    context.host = await serveHostPage(context.engine.url);
    context.hostOrigin = `http://127.0.0.1:${(context.host.address() as AddressInfo).port}`;
    context.clinic = await openShop(context, "manage-clinic");
    context.strict = await openShop(context, "manage-strict");
    const patched = await context.engine.api("PATCH", "/api/v1/tenant", {
      token: context.strict.tenant.secretKey,
      body: { selfService: { allowCancel: false, allowReschedule: false } },
    });
    assert.is(patched.status, 200);
    context.browser = await launchChromium();
    context.pageErrors = [];
  });

  test.before.each(async (context) => {
    context.tab = await context.browser.newContext({ timezoneId: browserZone, locale: "en-GB" });
    context.page = await context.tab.newPage();
    const name = context.__test__;
    context.page.on("pageerror", (error) => context.pageErrors.push(`${name}: ${error.message}`));
  });

  test.after.each(async ({ tab }) => {
    await tab?.close();
  });

  test.after(async ({ browser, engine, host, scratch }) => {
    await browser?.close();
    await new Promise((resolve) => host?.close(resolve));
    await engine?.stop();
    await scratch?.drop();
  });

  test("book, then cancel from the confirmation: the booking is cancelled and vbwd:cancelled fires", async (context) => {
    const { page, engine, clinic } = context;
    const start = slotAt("10:00");
    await openPage(context);
    await initWidget(context, clinic);
    await bookInWidget(page, start, "Ada Lovelace", "ada@example.org");

    const confirmation = page.getByTestId("confirmation");
    const bookingId = (await confirmation.getAttribute("data-booking-id"))!;
    const link = (await confirmation
      .getByRole("link", { name: "Link to change or cancel this booking" })
      .getAttribute("href"))!;
    assert.match(link, `${context.hostOrigin}/#vbwd-manage=${clinic.tenant.code}.${bookingId}.`);
    assert.ok(await confirmation.getByRole("button", { name: "Reschedule" }).isVisible());

    await confirmation.getByRole("button", { name: "Cancel booking" }).click();
    await page.getByRole("heading", { name: "Cancel this booking?" }).waitFor();
    await waitForFocusKey(page, "question");
    await page.getByRole("button", { name: "Yes, cancel it" }).click();
    await page.getByRole("heading", { name: "Your booking is cancelled" }).waitFor();

    const [row] = await rowsOf(engine, "bookings", { id: bookingId });
    assert.is(row.status, "cancelled");
    const events = await hostEvents(page);
    assert.equal(
      events.map((event) => event.type),
      ["vbwd:ready", "vbwd:slot-held", "vbwd:booked", "vbwd:cancelled"],
    );
    const cancelled = events.at(-1)!;
    assert.is((cancelled.detail.booking as { id: string }).id, bookingId);
    assert.is((cancelled.detail.booking as { status: string }).status, "cancelled");
    assert.equal(await page.evaluate("window.cancelled.map((b) => b.id)"), [bookingId]);
    assert.is(await page.getByRole("button", { name: "Reschedule" }).count(), 0);
  });

  test("the manage link reopens the booking; rescheduling moves it and vbwd:rescheduled fires", async (context) => {
    const { page, engine, clinic } = context;
    const start = slotAt("11:00");
    const later = slotAt("13:30");
    const booking = await bookOverWidgetApi(engine, clinic, start);
    await openPage(context, manageHash(clinic, booking));
    await initWidget(context, clinic);

    const view = page.getByTestId("confirmation");
    await page.getByRole("heading", { name: "Your booking" }).waitFor({ timeout: liveMs });
    assert.is(await view.getAttribute("data-booking-id"), booking.id);
    await view.getByRole("button", { name: "Reschedule" }).click();
    await page.getByText("Choose a new time for 30 min").waitFor();
    await openDay(page, later);
    await page.locator(`${scope} .times [data-start="${later}"]`).click();
    await page.getByRole("heading", { name: /^Move your booking to / }).waitFor();
    await page.getByRole("button", { name: "Move booking" }).click();
    await page.getByText("Your booking was moved").waitFor({ timeout: liveMs });

    const [row] = await rowsOf(engine, "bookings", { id: booking.id });
    assert.is(Number(row.start_ms), Date.parse(later));
    assert.is(row.status, "confirmed");
    const events = await hostEvents(page);
    const moved = events.find((event) => event.type === "vbwd:rescheduled");
    assert.ok(moved, "vbwd:rescheduled fired");
    assert.is(moved.detail.previousStart, start);
    assert.is((moved.detail.booking as { start: string }).start, later);
    assert.equal(await page.evaluate("window.rescheduled"), [[booking.id, start]]);
    const ics = decodeURIComponent(
      (await view.getByRole("link", { name: /calendar/ }).getAttribute("href"))!.split(",")[1]!,
    );
    assert.match(ics, `DTSTART:${later.slice(0, 10).replace(/-/g, "")}T133000Z`);
  });

  test("a taken new time is refused with the nearest free ones and the booking stays", async (context) => {
    const { page, engine, clinic } = context;
    const start = slotAt("09:00");
    const wanted = slotAt("15:00");
    const booking = await bookOverWidgetApi(engine, clinic, start);
    await openPage(context, manageHash(clinic, booking));
    await initWidget(context, clinic);
    await page.getByRole("button", { name: "Reschedule" }).click();
    await openDay(page, wanted);
    await page.locator(`${scope} .times [data-start="${wanted}"]`).click();
    await page.getByRole("button", { name: "Move booking" }).waitFor();

    const taken = await engine.api("POST", "/api/v1/bookings", {
      token: clinic.tenant.secretKey,
      body: bookingBody(clinic.calendarId, clinic.serviceId, wanted, 9),
    });
    assert.is(taken.status, 201);
    await page.getByRole("button", { name: "Move booking" }).click();
    const notice = page.locator(`${scope} [data-testid="notice"]`);
    await notice.waitFor({ timeout: liveMs });
    assert.match(await notice.innerText(), "That time was just taken.");
    const [row] = await rowsOf(engine, "bookings", { id: booking.id });
    assert.is(Number(row.start_ms), Date.parse(start), "the booking did not move");
    const events = await hostEvents(page);
    assert.not.ok(events.some((event) => event.type === "vbwd:rescheduled"));
  });

  test("a tenant that disallows changes shows no buttons and no manage link", async (context) => {
    const { page, engine, strict } = context;
    await openPage(context);
    await initWidget(context, strict);
    await bookInWidget(page, slotAt("12:00"), "Grace Hopper", "grace@example.org");
    const confirmation = page.getByTestId("confirmation");
    assert.is(await confirmation.getByRole("button", { name: "Cancel booking" }).count(), 0);
    assert.is(await confirmation.getByRole("button", { name: "Reschedule" }).count(), 0);
    assert.is(await confirmation.getByRole("link", { name: /change or cancel/ }).count(), 0);

    const booking = await bookOverWidgetApi(engine, strict, slotAt("14:00"));
    await page.goto("about:blank");
    await openPage(context, manageHash(strict, booking));
    await initWidget(context, strict);
    await page.getByText("can no longer be changed online").waitFor({ timeout: liveMs });
    assert.is(await page.getByRole("button", { name: "Cancel booking" }).count(), 0);
    assert.is(await page.getByRole("button", { name: "Reschedule" }).count(), 0);
  });

  test("feature flags hide a change the tenant allows", async (context) => {
    const { page, engine, clinic } = context;
    const booking = await bookOverWidgetApi(engine, clinic, slotAt("16:00"));
    await openPage(context, manageHash(clinic, booking));
    await initWidget(context, clinic, { enableCancellation: false });
    await page.getByRole("button", { name: "Reschedule" }).waitFor({ timeout: liveMs });
    assert.is(await page.getByRole("button", { name: "Cancel booking" }).count(), 0);
  });

  test("a tampered manage link fails with invalid_manage_token and changes nothing", async (context) => {
    const { page, engine, clinic } = context;
    const booking = await bookOverWidgetApi(engine, clinic, slotAt("16:30"));
    const tampered = { ...booking, token: booking.token.slice(0, -3) + "abc" };
    await openPage(context, manageHash(clinic, tampered));
    await initWidget(context, clinic);
    await page.locator(`${scope} [data-key="retry"]`).waitFor({ timeout: liveMs });
    const errors = (await page.evaluate("window.errors")) as { code: string }[];
    assert.equal(
      errors.map((error) => error.code),
      ["invalid_manage_token"],
    );
    const [row] = await rowsOf(engine, "bookings", { id: booking.id });
    assert.is(row.status, "confirmed");
  });

  test("the German manage view speaks German", async (context) => {
    const { page, engine, clinic } = context;
    const booking = await bookOverWidgetApi(engine, clinic, slotAt("10:30"));
    await openPage(context, manageHash(clinic, booking));
    await initWidget(context, clinic, {}, "de");
    await page.getByRole("heading", { name: "Ihr Termin" }).waitFor({ timeout: liveMs });
    await page.getByRole("button", { name: "Termin absagen" }).click();
    await page.getByRole("heading", { name: "Diesen Termin absagen?" }).waitFor();
    await page.getByRole("button", { name: "Behalten" }).click();
    await page.getByRole("heading", { name: "Ihr Termin" }).waitFor();
  });

  test("axe finds no serious or critical violations in the manage view and its questions", async (context) => {
    const { page, engine, clinic } = context;
    const booking = await bookOverWidgetApi(engine, clinic, slotAt("15:30"));
    await openPage(context, manageHash(clinic, booking));
    await initWidget(context, clinic);
    await page.getByRole("button", { name: "Reschedule" }).waitFor({ timeout: liveMs });
    await assertAccessible(page, "manage view");
    await page.getByRole("button", { name: "Cancel booking" }).click();
    await page.getByRole("button", { name: "Yes, cancel it" }).waitFor();
    await assertAccessible(page, "cancel question");
    await page.getByRole("button", { name: "Keep it" }).click();
    await page.getByRole("button", { name: "Reschedule" }).click();
    await page.locator(`${scope} .grid`).waitFor();
    await assertAccessible(page, "reschedule month");
  });

  test("no page script failed in any test", ({ pageErrors }) => {
    assert.equal(pageErrors, []);
  });

  test.run();
}

async function openShop(context: Context, code: string): Promise<Shop> {
  const { engine, hostOrigin } = context;
  const tenant = await signUpTenant(engine, code);
  const offer = await createOffer(engine, tenant);
  const key = await engine.api("POST", "/api/v1/keys", {
    token: tenant.secretKey,
    body: { kind: "publishable", name: "host page", allowedOrigins: [hostOrigin] },
  });
  if (key.status !== 201) throw new Error(`key: ${JSON.stringify(key.body)}`);
  return { tenant, pageKey: key.body.key, ...offer };
}

/** Books through the widget's REST path, as a widget would, keeping the manage token. */
async function bookOverWidgetApi(engine: TestEngine, shop: Shop, start: string) {
  const made = await engine.api("POST", `/v1/widget/${shop.tenant.code}/bookings`, {
    token: shop.tenant.publishableKey,
    body: bookingBody(shop.calendarId, shop.serviceId, start, 1),
  });
  if (made.status !== 201) throw new Error(`booking: ${JSON.stringify(made.body)}`);
  return { id: made.body.id as string, token: made.body.manageToken as string };
}

function manageHash(shop: Shop, booking: { id: string; token: string }): string {
  return `#vbwd-manage=${shop.tenant.code}.${booking.id}.${booking.token}`;
}

/** Serves the fixture page, pointing its script tag at the engine, from another origin. */
async function serveHostPage(engineUrl: string): Promise<Server> {
  const page = fixture.replace("__ENGINE__", engineUrl);
  const server = createServer((request, response) => {
    if (request.url !== "/") return void response.writeHead(404).end();
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

async function openPage({ page, hostOrigin }: Context, hash = ""): Promise<void> {
  await page.goto(`${hostOrigin}/${hash}`);
  await page.waitForFunction("window.VBWDWidget !== undefined");
}

/** Starts the widget in the first container; callbacks record into `window.*` arrays. */
async function initWidget(
  context: Context,
  shop: Shop,
  features: Record<string, boolean> = {},
  locale?: string,
): Promise<void> {
  const settings = {
    tenantId: shop.tenant.code,
    apiKey: shop.pageKey,
    container: scope,
    features,
    locale,
  };
  // A string, not a function: tsx would add helpers the page does not have.
  await context.page.evaluate(`(() => {
    window.errors = [];
    window.cancelled = [];
    window.rescheduled = [];
    window.VBWDWidget.init({
      ...${JSON.stringify(settings)},
      onError: (error) => window.errors.push({ code: error.code, message: error.message }),
      onCancel: (booking) => window.cancelled.push(booking),
      onReschedule: (booking, previousStart) => window.rescheduled.push([booking.id, previousStart]),
    });
  })()`);
}

/** Chooses the first service, a day and a time, fills the form and books. */
async function bookInWidget(page: Page, start: string, name: string, email: string) {
  await page.locator(`${scope} .services button`).first().click();
  await openDay(page, start);
  await page.locator(`${scope} .times [data-start="${start}"]`).click();
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Book", exact: true }).click();
  await page.getByTestId("confirmation").waitFor({ timeout: liveMs });
}

/** Opens the day of an instant in the month view (moving a month on when needed). */
async function openDay(page: Page, start: string) {
  const day = new Date(Date.parse(start) + 5.5 * 3_600_000).toISOString().slice(0, 10);
  await page.locator(`${scope} .grid`).waitFor();
  if ((await page.locator(`${scope} .day[data-date="${day}"]`).count()) === 0) {
    await page.locator(`${scope} [data-key="next-month"]`).click();
  }
  await page.locator(`${scope} .day[data-date="${day}"][data-free]`).click();
  await page.locator(`${scope} .times [data-start="${start}"]`).waitFor();
}

async function waitForFocusKey(page: Page, key: string): Promise<void> {
  await page.waitForFunction(`(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    return active?.dataset?.key === ${JSON.stringify(key)};
  })()`);
}

async function hostEvents(page: Page) {
  return (await page.evaluate("window.widgetEvents")) as {
    type: string;
    target: string;
    detail: Record<string, unknown>;
  }[];
}

async function assertAccessible(page: Page, step: string): Promise<void> {
  const { violations, passes } = await new AxeBuilder({ page }).analyze();
  const insideShadow = passes.some((rule) => rule.nodes.some((n) => Array.isArray(n.target[0])));
  assert.ok(insideShadow, `${step}: axe did not look inside the widget's shadow root`);
  const serious = violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((n) => n.target).join(" | ")}`);
  assert.equal(serious, [], `${step}: ${serious.join("; ")}`);
}
