import { AxeBuilder } from "@axe-core/playwright";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer, get, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
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
  host: Server;
  hostOrigin: string;
  browser: Browser;
  tenant: TestTenant;
  /** A publishable key that serves only the host page's origin. */
  pageKey: string;
  offer: { calendarId: string; serviceId: string };
  tab: BrowserContext;
  page: Page;
  pageErrors: string[];
}

/** Options a test passes to `VBWDWidget.init` (the callbacks are added in the page). */
interface InitOptions {
  container: "first-widget" | "second-widget";
  apiKey?: string;
  locale?: string;
  mode?: string;
  theme?: Record<string, string>;
  /** Another tenant's code and publishable key than the suite's own. */
  tenant?: { code: string; key: string };
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const bundle = join(root, "dist", "widget", "v1", "vbwd-widget.js");
const fixture = readFileSync(join(root, "test", "widget", "fixtures", "host-page.html"), "utf8");
// A zone with a half-hour offset shows that times are converted: 10:00Z is 15:30 there.
const browserZone = "Asia/Kolkata";
const maxGzipBytes = 40 * 1024;
/** How long a live change may take to show; generous for a shared 2-core machine. */
const liveMs = 3000;

const widget = (id: InitOptions["container"]) => `#${id}`;
const timeButton = (id: InitOptions["container"], start: string) =>
  `${widget(id)} .times [data-start="${start}"]`;

if (chromiumInstalled("widget browser suite")) {
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
  const test = suite<Context>("widget: the embeddable booking widget in Chromium (sqlite)");

  test.before(async (context) => {
    execFileSync(process.execPath, [join(root, "scripts", "build-widget.mjs")], { cwd: root });
    context.scratch = await sqlite.create("widget");
    context.engine = await startTestEngine(context.scratch.target);
    context.tenant = await signUpTenant(context.engine, "harbour-clinic");
    await brandTenant(context.engine, context.tenant);
    context.offer = await createOffer(context.engine, context.tenant);
    context.host = await serveHostPage(context.engine.url);
    context.hostOrigin = `http://127.0.0.1:${(context.host.address() as AddressInfo).port}`;
    context.pageKey = await publishableKeyFor(context, context.hostOrigin);
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

  test("serves the bundles cross-origin with script types and caching headers", async (context) => {
    const { engine } = context;
    const script = await fetch(`${engine.url}/widget/v1/vbwd-widget.js`);
    assert.is(script.status, 200);
    assert.match(script.headers.get("content-type") ?? "", "text/javascript");
    assert.match(script.headers.get("cache-control") ?? "", "max-age=");
    assert.is(script.headers.get("cross-origin-resource-policy"), "cross-origin");
    assert.match(await script.text(), "sourceMappingURL=vbwd-widget.js.map");

    const etag = script.headers.get("etag")!;
    // Not fetch: with a conditional header it adds `Cache-Control: no-cache` and asks anew.
    const again = await conditionalGet(`${engine.url}/widget/v1/vbwd-widget.js`, etag);
    assert.is(again.status, 304);
    const module = await fetch(`${engine.url}/widget/v1/vbwd-widget.esm.js`);
    assert.match(await module.text(), /export\s*\{/);
    const map = await fetch(`${engine.url}/widget/v1/vbwd-widget.esm.js.map`);
    assert.is(((await map.json()) as { version: number }).version, 3);
    assert.is((await fetch(`${engine.url}/widget/v1/other.js`)).status, 404);
  });

  test("books from service to confirmation, and the engine has the booking", async (context) => {
    const { page, engine, tenant } = context;
    const start = slotAt("10:00");
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });

    await chooseServiceAndDay(page, "first-widget", start);
    const time = page.locator(timeButton("first-widget", start));
    assert.match(await time.innerText(), /^3:30\sPM$/);
    await page.locator(`${widget("first-widget")} select`).selectOption("UTC");
    assert.match(await time.innerText(), /^10:00/);

    await time.click();
    const countdown = page.locator(`${widget("first-widget")} [data-countdown]`);
    assert.match(await countdown.innerText(), /^Held for you for \d+:\d\d$/);
    await page.getByLabel("Name").fill("Ada Lovelace");
    await page.getByLabel("Email").fill("not an email");
    await page.getByRole("button", { name: "Book", exact: true }).click();
    assert.is(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");
    assert.match(await page.locator(`${widget("first-widget")} .field-error`).innerText(), "valid");
    await page.getByLabel("Email").fill("ada@example.org");
    await page.getByRole("button", { name: "Book", exact: true }).click();

    const confirmation = page.getByTestId("confirmation");
    await confirmation.waitFor({ timeout: liveMs });
    const bookingId = (await confirmation.getAttribute("data-booking-id"))!;
    const stored = await engine.api("GET", `/api/v1/bookings/${bookingId}`, {
      token: tenant.secretKey,
    });
    assert.is(stored.status, 200);
    assert.is(stored.body.start, start);
    assert.is(stored.body.status, "confirmed");
    assert.is(stored.body.customer.email, "ada@example.org");

    const ics = decodeURIComponent(
      (await confirmation.getByRole("link", { name: /calendar/ }).getAttribute("href"))!.split(
        ",",
      )[1]!,
    );
    assert.match(ics, "BEGIN:VCALENDAR\r\n");
    assert.match(ics, `DTSTART:${start.slice(0, 10).replace(/-/g, "")}T100000Z`);
    assert.match(ics, `UID:${bookingId}@vbwd`);
    const events = await hostEvents(page);
    assert.equal(
      events.map((event) => event.type),
      ["vbwd:ready", "vbwd:slot-held", "vbwd:booked"],
    );
    assert.ok(events.every((event) => event.target === "first-widget"));
    assert.equal(await page.evaluate("window.booked.map((b) => b.id)"), [bookingId]);
  });

  test("a secret key is refused in the console and onError, and nothing is sent", async (context) => {
    const { page, engine, tenant } = context;
    const console: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") console.push(message.text());
    });
    await openHostPage(context);
    const sent: string[] = [];
    page.on("request", (request) => {
      if (request.url().startsWith(engine.url)) sent.push(request.url());
    });

    await initWidget(context, { container: "first-widget", apiKey: tenant.secretKey });
    await initWidget(context, { container: "second-widget", apiKey: "" });
    await page.waitForTimeout(300);

    const errors = (await page.evaluate("window.errors")) as { code: string; message: string }[];
    assert.equal(
      errors.map((error) => error.code),
      ["invalid_config", "invalid_config"],
    );
    assert.match(errors[0]!.message, "secret key");
    assert.match(console.join("\n"), "apiKey is a secret key");
    assert.equal(sent, []);
    const events = await hostEvents(page);
    assert.equal(
      events.map((event) => `${event.type} ${event.target}`),
      ["vbwd:error first-widget", "vbwd:error second-widget"],
    );
  });

  test("a time booked over REST while the widget is open vanishes, and returns when cancelled", async (context) => {
    const { page, engine, tenant, offer } = context;
    const start = slotAt("11:00");
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });
    await chooseServiceAndDay(page, "first-widget", start);
    await page.locator(timeButton("first-widget", start)).waitFor();

    const made = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(offer.calendarId, offer.serviceId, start, 7),
    });
    assert.is(made.status, 201);
    await page.locator(timeButton("first-widget", start)).waitFor({
      state: "detached",
      timeout: liveMs,
    });

    const cancelled = await engine.api("POST", `/api/v1/bookings/${made.body.id}/cancel`, {
      token: tenant.secretKey,
    });
    assert.is(cancelled.status, 200);
    await page.locator(timeButton("first-widget", start)).waitFor({ timeout: liveMs });
    assert.is(await page.evaluate("location.href"), `${context.hostOrigin}/`);
  });

  test("a time taken unseen is refused with the nearest free ones; a skipped version reloads", async (context) => {
    const { page, engine, tenant, offer } = context;
    const start = slotAt("15:00");
    const later = slotAt("16:30");
    const pushes = await interceptAvailabilityPushes(page);
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });
    await chooseServiceAndDay(page, "first-widget", start);

    pushes.dropping = true;
    for (const [n, at] of [start, later].entries()) {
      const made = await engine.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, at, 20 + n),
      });
      assert.is(made.status, 201);
    }
    await page.locator(timeButton("first-widget", start)).click();

    const notice = page.locator(`${widget("first-widget")} [data-testid="notice"]`);
    await notice.waitFor({ timeout: liveMs });
    assert.match(await notice.innerText(), "That time was just taken.");
    const offered = await notice
      .locator("button")
      .evaluateAll((buttons) => buttons.map((button) => button.getAttribute("data-start")));
    assert.is(offered.length, 3);
    assert.ok(offered.includes(slotAt("14:30")) && offered.includes(slotAt("15:30")));
    assert.not.ok(offered.includes(start));
    assert.is(await page.locator(timeButton("first-widget", start)).count(), 0);
    assert.is(await page.locator(timeButton("first-widget", later)).count(), 1);

    pushes.dropping = false;
    const another = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(offer.calendarId, offer.serviceId, slotAt("09:00"), 22),
    });
    assert.is(another.status, 201);
    await page.locator(timeButton("first-widget", later)).waitFor({
      state: "detached",
      timeout: liveMs,
    });
    assert.ok(pushes.dropped > 0);

    await notice.locator(`[data-start="${slotAt("15:30")}"]`).click();
    await page.locator(`${widget("first-widget")} form`).waitFor();
  });

  test("destroy() releases the hold and empties the container", async (context) => {
    const { page } = context;
    const start = slotAt("16:00");
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });
    await initWidget(context, { container: "second-widget" });
    await chooseServiceAndDay(page, "first-widget", start);
    await chooseServiceAndDay(page, "second-widget", start);
    await page.locator(timeButton("first-widget", start)).click();
    await page.locator(timeButton("second-widget", start)).waitFor({ state: "detached" });

    await page.evaluate('window.handles["first-widget"].destroy()');

    await page.locator(timeButton("second-widget", start)).waitFor({ timeout: liveMs });
    assert.is(
      await page.evaluate('document.querySelector("#first-widget").shadowRoot.childElementCount'),
      0,
    );
    const events = await hostEvents(page);
    const released = events.find((event) => event.type === "vbwd:slot-released");
    assert.is(released?.detail.reason, "destroyed");
  });

  test("popup and floating modes open the booking panel in a dialog from a button", async (context) => {
    const { page } = context;
    await openHostPage(context);
    await initWidget(context, { container: "first-widget", mode: "popup" });
    await initWidget(context, { container: "second-widget", mode: "floating" });
    const launchers = page.getByRole("button", { name: "Book an appointment" });
    await launchers.nth(1).waitFor();
    assert.is(await launchers.count(), 2);
    const position = await page.evaluate(
      'getComputedStyle(document.querySelector("#second-widget").shadowRoot.querySelector(".launcher")).position',
    );
    assert.is(position, "fixed");
    assert.is(
      await page
        .locator(`${widget("first-widget")} .services button`)
        .first()
        .isVisible(),
      false,
    );

    await launchers.first().click();
    const dialog = page.getByRole("dialog", { name: "Tenant harbour-clinic" });
    await dialog.waitFor();
    assert.ok(await dialog.locator(".services button").first().isVisible());
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "hidden" });
  });

  test("two widgets on one page keep their own steps and see each other's holds", async (context) => {
    const { page } = context;
    const start = slotAt("12:00");
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });
    await initWidget(context, { container: "second-widget", locale: "de" });
    await chooseServiceAndDay(page, "first-widget", start);
    await chooseServiceAndDay(page, "second-widget", start);

    await page.locator(timeButton("first-widget", start)).click();
    await page.locator(`${widget("first-widget")} form`).waitFor();
    await page.locator(timeButton("second-widget", start)).waitFor({
      state: "detached",
      timeout: liveMs,
    });
    assert.is(await page.locator(`${widget("second-widget")} form`).count(), 0);
    assert.ok(
      await page
        .locator(`${widget("second-widget")} .times button`)
        .first()
        .isVisible(),
    );

    await page.locator(widget("first-widget")).getByRole("button", { name: "Back" }).click();
    await page.locator(timeButton("second-widget", start)).waitFor({ timeout: liveMs });
    const events = await hostEvents(page);
    const held = events.filter((event) => event.type !== "vbwd:ready");
    assert.equal(
      held.map((event) => `${event.type} ${event.target}`),
      ["vbwd:slot-held first-widget", "vbwd:slot-released first-widget"],
    );
  });

  test("tenant branding colours the widget, the theme option wins, and host styles stay out", async (context) => {
    const { page } = context;
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });
    const theme = { primaryColor: "#7c2d12", fontFamily: "'Courier New', monospace" };
    await initWidget(context, { container: "second-widget", theme });
    await page.locator(`${widget("second-widget")} .services button`).waitFor();
    await page.locator(`${widget("first-widget")} .services button`).waitFor();

    const look = (id: string) =>
      page.evaluate(`(() => {
        const host = document.querySelector("#${id}");
        const button = host.shadowRoot.querySelector(".services button");
        const style = getComputedStyle(host);
        return {
          primary: style.getPropertyValue("--vbwd-primary"),
          font: style.getPropertyValue("--vbwd-font"),
          radius: getComputedStyle(host.shadowRoot.querySelector(".panel")).borderTopLeftRadius,
          buttonFontSize: getComputedStyle(button).fontSize,
          logo: host.shadowRoot.querySelector(".head img")?.getAttribute("src") ?? null,
        };
      })()`) as Promise<Record<string, string | null>>;
    const branded = await look("first-widget");
    assert.is(branded.primary, brandColour);
    assert.is(branded.logo, brandLogo);
    assert.is(branded.font, brandFont);
    assert.is(branded.radius, "12px");
    assert.is(branded.buttonFontSize, "16px");
    const themed = await look("second-widget");
    assert.is(themed.primary, theme.primaryColor);
    assert.is(themed.font, theme.fontFamily);
  });

  test("a service on two calendars asks which one, and books the one chosen", async (context) => {
    const { page, engine, hostOrigin } = context;
    const tenant = await signUpTenant(engine, "two-rooms");
    const rooms = await twoRoomsForOneService(engine, tenant);
    const key = await publishableKeyFor({ ...context, tenant }, hostOrigin);
    const start = slotAt("11:00");
    await openHostPage(context);
    await initWidget(context, { container: "first-widget", tenant: { code: tenant.code, key } });
    const scope = page.locator(widget("first-widget"));

    await scope.locator(".services button").first().click();
    await scope.getByRole("heading", { name: "Choose with whom or where" }).waitFor();
    const names = await scope.locator('[data-key^="calendar-"]').allInnerTexts();
    assert.equal(names, ["Room A", "Room B"]);
    await scope.locator(`[data-key="calendar-${rooms.b}"]`).click();
    await scope.locator(".grid").waitFor();
    await scope.getByRole("button", { name: "Back" }).click();
    await scope.locator(`[data-key="calendar-${rooms.a}"]`).waitFor();
    await scope.locator(`[data-key="calendar-${rooms.b}"]`).click();

    await scope.locator(".grid").waitFor();
    const day = scope.locator(`.day[data-date="${localDay(start)}"][data-free]`);
    if ((await day.count()) === 0) await scope.locator('[data-key="next-month"]').click();
    await day.click();
    await scope.locator(`.times [data-start="${start}"]`).click();
    await scope.getByLabel("Name").fill("Grace Hopper");
    await scope.getByLabel("Email").fill("grace@example.org");
    await scope.getByRole("button", { name: "Book", exact: true }).click();
    const confirmation = page.getByTestId("confirmation");
    await confirmation.waitFor({ timeout: liveMs });
    const bookingId = (await confirmation.getAttribute("data-booking-id"))!;
    const stored = await engine.api("GET", `/api/v1/bookings/${bookingId}`, {
      token: tenant.secretKey,
    });
    assert.is(stored.body.calendarId, rooms.b);
    assert.is(stored.body.start, start);
  });

  test("the German locale shows German strings, days and times", async (context) => {
    const { page } = context;
    await openHostPage(context);
    await initWidget(context, { container: "second-widget", locale: "de" });
    const scope = page.locator(widget("second-widget"));
    await scope.getByText("Leistung wählen").waitFor();

    await scope.locator(".services button").first().click();
    await scope.getByRole("button", { name: "Nächster Monat" }).waitFor();
    assert.ok(await scope.getByRole("button", { name: "Zurück" }).isVisible());
    assert.match(await scope.locator("th").first().innerText(), /^Mo\.?$/);
    assert.is(await scope.locator("label").first().innerText(), "Zeitzone");
  });

  test("keyboard alone picks a day and a time and reaches the form", async (context) => {
    const { page } = context;
    const start = slotAt("13:00");
    const day = localDay(start);
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });
    await page.locator(`${widget("first-widget")} .services button`).waitFor();

    await page.keyboard.press("Tab");
    assert.match((await focused(page)).key ?? "", /^service-/);
    await page.keyboard.press("Enter");
    await page.locator(`${widget("first-widget")} .day[tabindex="0"]`).waitFor();
    await waitForFocus(page, (active) => active.date !== undefined);
    for (let steps = 0; (await focused(page)).date !== day; steps++) {
      assert.ok(steps < 70, `the grid never reached ${day}`);
      await page.keyboard.press("ArrowRight");
    }
    await page.keyboard.press("Enter");
    await waitForFocus(page, (active) => active.start !== undefined);
    for (let steps = 0; (await focused(page)).start !== start; steps++) {
      assert.ok(steps < 20, `the times never reached ${start}`);
      await page.keyboard.press("ArrowRight");
    }
    await page.keyboard.press("Enter");

    await waitForFocus(page, (active) => active.key === "field-name");
    await page.keyboard.type("Grace Hopper");
    await page.keyboard.press("Tab");
    await page.keyboard.type("grace@example.org");
    await page.keyboard.press("Enter");
    await page.getByTestId("confirmation").waitFor({ timeout: liveMs });
  });

  test("axe finds no serious or critical violations at each step", async (context) => {
    const { page } = context;
    const start = slotAt("14:00");
    await openHostPage(context);
    await initWidget(context, { container: "first-widget" });
    await initWidget(context, { container: "second-widget", mode: "popup" });
    await page.locator(`${widget("first-widget")} .services button`).waitFor();
    await assertAccessible(page, "services");

    await chooseServiceAndDay(page, "first-widget", start);
    await assertAccessible(page, "times");
    await page.locator(widget("first-widget")).getByRole("button", { name: "Back" }).click();
    await assertAccessible(page, "month");

    await page.locator(`${widget("first-widget")} .day[data-date="${localDay(start)}"]`).click();
    await page.locator(timeButton("first-widget", start)).click();
    await page.getByRole("button", { name: "Book", exact: true }).click();
    await assertAccessible(page, "form with errors");

    await page.getByRole("button", { name: "Book an appointment" }).click();
    await page
      .locator(`${widget("second-widget")} dialog .services button`)
      .first()
      .waitFor();
    await assertAccessible(page, "popup");
  });

  test("the gzipped script, Socket.IO client included, is at most 40 KB", () => {
    const gzipped = gzipSync(readFileSync(bundle), { level: 9 }).length;
    console.log(`      vbwd-widget.js gzipped: ${(gzipped / 1024).toFixed(1)} KB`);
    assert.ok(gzipped <= maxGzipBytes, `${gzipped} bytes gzipped`);
  });

  test("no page script failed in any test", ({ pageErrors }) => {
    assert.equal(pageErrors, []);
  });

  test.run();
}

const brandColour = "#0b6e4f";
const brandFont = "Verdana, sans-serif";
const brandLogo =
  "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/%3E";

/** Brands the tenant through the API: colour, logo, font and corner radius. */
async function brandTenant(engine: TestEngine, tenant: TestTenant): Promise<void> {
  const branding = { primaryColor: brandColour, logoUrl: brandLogo, fontFamily: brandFont };
  const answer = await engine.api("PATCH", "/api/v1/tenant/branding", {
    token: tenant.secretKey,
    body: { ...branding, cornerRadius: 12 },
  });
  if (answer.status !== 200) throw new Error(`branding: ${JSON.stringify(answer.body)}`);
}

/** Two calendars, Room B made first, both offering one service. */
async function twoRoomsForOneService(engine: TestEngine, tenant: TestTenant) {
  const room = async (name: string) => {
    const answer = await engine.api("POST", "/api/v1/calendars", {
      token: tenant.secretKey,
      body: {
        name,
        timezone: "UTC",
        weeklyHours: Object.fromEntries(
          ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((day) => [
            day,
            [["09:00", "17:00"]],
          ]),
        ),
        slotIntervalMinutes: 30,
      },
    });
    return answer.body.id as string;
  };
  const b = await room("Room B");
  const a = await room("Room A");
  const service = await engine.api("POST", "/api/v1/services", {
    token: tenant.secretKey,
    body: { calendarIds: [b, a], name: "Consultation", durationMinutes: 30 },
  });
  if (service.status !== 201) throw new Error(`service: ${JSON.stringify(service.body)}`);
  return { a, b };
}

/** Passes the page's WebSocket frames through, dropping availability pushes while asked. */
async function interceptAvailabilityPushes(page: Page) {
  const control = { dropping: false, dropped: 0 };
  await page.routeWebSocket(/\/socket\.io\//, (client) => {
    const server = client.connectToServer();
    server.onMessage((message) => {
      const push = typeof message === "string" && message.startsWith('42["availability"');
      if (push && control.dropping) control.dropped++;
      else client.send(message);
    });
  });
  return control;
}

/** A GET with `If-None-Match`, answering the status. */
function conditionalGet(url: string, etag: string): Promise<{ status: number }> {
  return new Promise((resolve, reject) => {
    const request = get(url, { headers: { "if-none-match": etag } }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    request.on("error", reject);
  });
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

async function publishableKeyFor({ engine, tenant }: Context, origin: string): Promise<string> {
  const answer = await engine.api("POST", "/api/v1/keys", {
    token: tenant.secretKey,
    body: { kind: "publishable", name: "host page", allowedOrigins: [origin] },
  });
  if (answer.status !== 201) throw new Error(`key: ${JSON.stringify(answer.body)}`);
  return answer.body.key as string;
}

async function openHostPage({ page, hostOrigin }: Context): Promise<void> {
  await page.goto(`${hostOrigin}/`);
  await page.waitForFunction("window.VBWDWidget !== undefined");
}

/** Calls `VBWDWidget.init` in the page; callbacks record into `window.errors` and `booked`. */
async function initWidget(context: Context, options: InitOptions): Promise<void> {
  const { page, tenant, pageKey } = context;
  // A string, not a function: tsx would add helpers the page does not have.
  const settings = {
    tenantId: options.tenant?.code ?? tenant.code,
    apiKey: options.apiKey ?? options.tenant?.key ?? pageKey,
    container: `#${options.container}`,
    locale: options.locale,
    mode: options.mode,
    theme: options.theme,
  };
  await page.evaluate(`(() => {
    window.errors ??= [];
    window.booked ??= [];
    window.handles ??= {};
    window.handles[${JSON.stringify(options.container)}] = window.VBWDWidget.init({
      ...${JSON.stringify(settings)},
      onError: (error) => window.errors.push({ code: error.code, message: error.message }),
      onBook: (booking) => window.booked.push(booking),
    });
  })()`);
}

/** Picks the first service, moves to the slot's month if needed, and opens its day. */
async function chooseServiceAndDay(page: Page, id: InitOptions["container"], start: string) {
  const scope = page.locator(widget(id));
  await scope.locator(".services button").first().click();
  const day = scope.locator(`.day[data-date="${localDay(start)}"]`);
  await scope.locator(".grid").waitFor();
  if ((await day.count()) === 0) await scope.locator('[data-key="next-month"]').click();
  await scope.locator(`.day[data-date="${localDay(start)}"][data-free]`).click();
  await scope.locator(`.times [data-start="${start}"]`).waitFor();
}

/** The day an instant falls on in the browser's zone. */
function localDay(iso: string): string {
  return new Date(Date.parse(iso) + 5.5 * 3_600_000).toISOString().slice(0, 10);
}

/** What has focus, looking through open shadow roots. */
async function focused(page: Page): Promise<{ key?: string; date?: string; start?: string }> {
  return page.evaluate(`(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    const data = active?.dataset ?? {};
    return { key: data.key, date: data.date, start: data.start };
  })()`);
}

async function waitForFocus(
  page: Page,
  wanted: (active: Awaited<ReturnType<typeof focused>>) => boolean,
): Promise<void> {
  for (let tries = 0; tries < 50; tries++) {
    if (wanted(await focused(page))) return;
    await page.waitForTimeout(50);
  }
  assert.unreachable(`focus never moved as expected: ${JSON.stringify(await focused(page))}`);
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
  // A node inside a shadow root is named by a path of selectors, one per root.
  const insideShadow = passes.some((rule) => rule.nodes.some((n) => Array.isArray(n.target[0])));
  assert.ok(insideShadow, `${step}: axe did not look inside the widgets' shadow roots`);
  const serious = violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id}: ${violation.nodes.map((n) => n.target).join(" | ")}`);
  assert.equal(serious, [], `${step}: ${serious.join("; ")}`);
}
