import type { Browser, BrowserContext, Page } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  issueVerificationToken,
  verificationTokenKey,
} from "../../src/tenants/email-verification.js";
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
  tab: BrowserContext;
  page: Page;
  /** Uncaught errors of the page's scripts; every test wants none. */
  pageErrors: string[];
}

const byTestId = (id: string) => `[data-testid="${id}"]`;

async function logIn(page: Page, engine: TestEngine, tenant: TestTenant): Promise<void> {
  await page.goto(`${engine.url}/dashboard`);
  const form = page.locator(byTestId("login-form"));
  await form.locator('input[name="tenantCode"]').fill(tenant.code);
  await form.locator('input[name="email"]').fill(tenant.email);
  await form.locator('input[name="password"]').fill(tenant.password);
  await form.locator('button[type="submit"]').click();
  await page.waitForSelector(`${byTestId("dashboard")}[data-loaded="true"]`);
}

/** The publishable key and tenant code the embed snippet carries. */
function readSnippet(snippet: string) {
  const key = /apiKey: "(pk_live_[A-Za-z0-9_-]+)"/.exec(snippet)?.[1];
  const tenant = /tenantId: "([a-z0-9-]+)"/.exec(snippet)?.[1];
  return { key, tenant };
}

if (chromiumInstalled("onboarding wizard browser suite")) {
  for (const dialect of dialectsUnderTest()) {
    const wizard = suite<Context>(`widget: the onboarding wizard in Chromium (${dialect.name})`);

    wizard.before(async (context) => {
      context.scratch = await dialect.create("wizard");
      context.engine = await startTestEngine(context.scratch.target);
      context.browser = await launchChromium();
      context.pageErrors = [];
    });

    wizard.before.each(async (context) => {
      context.tab = await context.browser.newContext({ timezoneId: "Europe/Berlin" });
      context.page = await context.tab.newPage();
      const test = context.__test__;
      context.page.on("pageerror", (error) => context.pageErrors.push(`${test}: ${error.message}`));
    });

    wizard.after.each(async ({ tab, pageErrors }) => {
      await tab?.close();
      assert.equal(pageErrors, [], "no script errors");
    });

    wizard.after(async ({ browser, engine, scratch }) => {
      await browser?.close();
      await engine?.stop();
      await scratch?.drop();
    });

    wizard(
      "an empty account walks from business type to the embed snippet, in its colours",
      async ({ engine, page }) => {
        const tenant = await signUpTenant(engine, `wizard-walk-${dialect.name}`);
        const branded = await engine.api("PATCH", "/api/v1/tenant/branding", {
          token: tenant.secretKey,
          body: { primaryColor: "#aa3300" },
        });
        assert.is(branded.status, 200);
        await logIn(page, engine, tenant);

        await page.waitForSelector(`${byTestId("onboarding")} [data-step="1"]`);
        assert.is(await page.locator(byTestId("count-today")).isVisible(), false);
        await page.waitForSelector(byTestId("verify-banner"));
        const accent = await page.evaluate<string>(
          "getComputedStyle(document.documentElement).getPropertyValue('--accent').trim()",
        );
        assert.is(accent, "#aa3300", "the dashboard uses the tenant's primary colour");

        await page.locator(byTestId("business-type")).selectOption("education");
        await page.getByRole("button", { name: "Next" }).click();

        const calendarStep = page.locator('[data-step="2"]');
        assert.is(await calendarStep.locator('input[name="name"]').inputValue(), "Tutor");
        assert.is(
          await calendarStep.locator('input[name="timezone"]').inputValue(),
          "Europe/Berlin",
        );
        await calendarStep.locator('input[name="name"]').fill("Ms. Rivera");
        await calendarStep.locator('input[value="sat"]').check();
        await calendarStep.locator('input[name="opens"]').fill("10:00");
        await calendarStep.getByRole("button", { name: "Create calendar" }).click();

        const serviceStep = page.locator('[data-step="3"]');
        await serviceStep.waitFor();
        assert.is(await serviceStep.locator('input[name="name"]').inputValue(), "Lesson");
        await serviceStep.locator('input[name="durationMinutes"]').fill("45");
        await serviceStep.locator('input[name="price"]').fill("25.50");
        await serviceStep.getByRole("button", { name: "Create service" }).click();

        const snippet = await page.locator(byTestId("embed-snippet")).innerText();
        assert.match(snippet, `${engine.url}/widget/v1/vbwd-widget.js`);
        const { key, tenant: code } = readSnippet(snippet);
        assert.is(code, tenant.code);
        assert.ok(key, `a publishable key in: ${snippet}`);

        const calendars = await engine.api("GET", "/api/v1/calendars", { token: tenant.secretKey });
        assert.is(calendars.body.data.length, 1);
        const calendar = calendars.body.data[0];
        assert.is(calendar.name, "Ms. Rivera");
        assert.is(calendar.timezone, "Europe/Berlin");
        assert.equal(calendar.weeklyHours.sat, [["10:00", "17:00"]]);
        assert.is(calendar.weeklyHours.sun, undefined);
        const config = await engine.api("GET", `/v1/widget/${tenant.code}/config`, { token: key });
        assert.is(config.status, 200, "the snippet's key opens the widget");
        const service = config.body.services[0];
        assert.is(service.name, "Lesson");
        assert.is(service.durationMinutes, 45);
        assert.is(service.priceCents, 2550);

        await page.locator(byTestId("onboarding-done")).click();
        assert.is(await page.locator(byTestId("onboarding")).isVisible(), false);
        assert.is(await page.locator(byTestId("count-today")).isVisible(), true);
      },
    );

    wizard(
      "demo data fills the account and goes straight to the snippet",
      async ({ engine, page }) => {
        const tenant = await signUpTenant(engine, `wizard-demo-${dialect.name}`);
        await logIn(page, engine, tenant);
        await page.locator(byTestId("load-demo")).click();
        const snippet = await page.locator(byTestId("embed-snippet")).innerText();
        assert.is(readSnippet(snippet).tenant, tenant.code);
        assert.match(await page.locator(byTestId("onboarding-note")).innerText(), "Demo data");
        const bookings = await engine.api("GET", "/api/v1/bookings", { token: tenant.secretKey });
        assert.is(bookings.body.data.length, 3);

        // A second try from the nav entry is refused in place, not silently.
        await page.locator(byTestId("onboarding-done")).click();
        await page.locator(byTestId("nav-onboarding")).click();
        await page.locator(byTestId("load-demo")).click();
        const alert = page.locator(`${byTestId("onboarding")} [role="alert"]`);
        await alert.waitFor();
        assert.match(await alert.innerText(), "already has calendars");
      },
    );

    wizard(
      "an account with a calendar is not interrupted by the wizard",
      async ({ engine, page }) => {
        const tenant = await signUpTenant(engine, `wizard-skip-${dialect.name}`);
        const loaded = await engine.api("POST", "/api/v1/tenant/demo-data", {
          token: tenant.secretKey,
        });
        assert.is(loaded.status, 201);
        await logIn(page, engine, tenant);
        await page.waitForSelector(byTestId("verify-banner"));
        assert.is(await page.locator(byTestId("onboarding")).isVisible(), false);
        assert.is(await page.locator(byTestId("count-week")).innerText(), "3");
      },
    );

    wizard(
      "the verification page confirms the address, and says so when a link is bad",
      async ({ engine, page }) => {
        const tenant = await signUpTenant(engine, `wizard-verify-${dialect.name}`);
        const login = await engine.api("POST", "/api/v1/auth/login", {
          body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
        });
        const me = await engine.api("GET", "/api/v1/auth/me", { token: login.body.token });
        const key = verificationTokenKey(engine.engine.services.secrets.jwtKey);
        const token = await issueVerificationToken(key, {
          tenantId: tenant.id,
          userId: me.body.user.id,
          email: tenant.email,
        });

        await page.goto(`${engine.url}/verify-email?token=garbage`);
        const status = page.locator(byTestId("verify-status"));
        await page.waitForSelector(`${byTestId("verify-status")}:not([data-state="working"])`);
        assert.is(await status.getAttribute("data-state"), "failed");
        assert.match(await status.innerText(), "invalid or has expired");

        await page.goto(`${engine.url}/verify-email?token=${encodeURIComponent(token)}`);
        await page.waitForSelector(`${byTestId("verify-status")}[data-state="verified"]`);
        assert.match(await status.innerText(), tenant.email);
        const after = await engine.api("GET", "/api/v1/auth/me", { token: login.body.token });
        assert.is(after.body.user.emailVerified, true);
      },
    );

    wizard.run();
  }
}
