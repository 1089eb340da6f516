import type { Browser } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { chromiumInstalled, launchChromium } from "../support/browser.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { signUpTenant, startTestEngine, type TestEngine } from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  browser: Browser;
}

const byTestId = (id: string) => `[data-testid="${id}"]`;

if (chromiumInstalled("dashboard message log browser suite")) {
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
  const messages = suite<Context>("widget: the dashboard's message log in Chromium");

  messages.before(async (context) => {
    context.scratch = await sqlite.create("messages_view");
    // No SMTP_URL: messages are recorded, which the log says.
    context.engine = await startTestEngine(context.scratch.target);
    context.browser = await launchChromium();
  });

  messages.after(async ({ browser, engine, scratch }) => {
    await browser?.close();
    await engine?.stop();
    await scratch?.drop();
  });

  messages("staff see the emails sent for their tenant, and only theirs", async (context) => {
    const { engine, browser } = context;
    const tenant = await signUpTenant(engine, "messages-log");
    const rival = await signUpTenant(engine, "messages-rival");
    const offer = await createOffer(engine, tenant);
    const body = bookingBody(offer.calendarId, offer.serviceId, slotAt("10:00"), 1);
    const made = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: { ...body, customer: { name: "Guest", email: "guest@example.org" } },
    });
    assert.is(made.status, 201, JSON.stringify(made.body));
    await engine.engine.services.mailer.idle();
    // The confirmation goes out from the outbox worker a moment after the answer.
    const deadline = Date.now() + 10_000;
    let listed = await engine.api("GET", "/api/v1/emails", { token: tenant.secretKey });
    while (listed.body.data.length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      listed = await engine.api("GET", "/api/v1/emails", { token: tenant.secretKey });
    }
    assert.is(listed.body.data.length, 2);

    const tab = await browser.newContext();
    const page = await tab.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      await page.goto(`${engine.url}/dashboard`);
      const form = page.locator(byTestId("login-form"));
      await form.locator('input[name="tenantCode"]').fill(tenant.code);
      await form.locator('input[name="email"]').fill(tenant.email);
      await form.locator('input[name="password"]').fill(tenant.password);
      await form.locator('button[type="submit"]').click();
      await page.waitForSelector(`${byTestId("dashboard")}[data-loaded="true"]`);

      await page.locator(byTestId("nav-messages")).click();
      const table = page.locator(byTestId("messages-table"));
      await table.waitFor();
      const rows = await table.locator("tr").allInnerTexts();
      assert.is(rows.length, 3, rows.join("\n"));
      const text = rows.join("\n");
      assert.match(text, "booking-confirmed");
      assert.match(text, "verify-email");
      assert.match(text, "guest@example.org");
      assert.match(text, "recorded (no SMTP)");
      assert.not.match(text, rival.email, "another tenant's messages are not listed");
      assert.is(
        await page.locator(byTestId("count-today")).isVisible(),
        false,
        "the board is replaced",
      );

      await page.locator(byTestId("nav-messages")).click();
      assert.is(await page.locator(byTestId("messages")).isVisible(), false);
      assert.is(await page.locator(byTestId("count-today")).isVisible(), true, "the board is back");
      assert.equal(errors, []);
    } finally {
      await tab.close();
    }
  });

  messages.run();
}
