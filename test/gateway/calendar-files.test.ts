import ICAL from "ical.js";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { snapshotTables } from "../support/table-snapshot.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

interface Shop {
  tenant: TestTenant;
  calendarId: string;
  serviceId: string;
}

let codes = 0;

/** A tenant with a calendar in Berlin time, open around the clock so any test time fits. */
async function openShop(engine: TestEngine, name: string): Promise<Shop> {
  const tenant = await signUpTenant(engine, `ics-${name}-${++codes}`);
  const offer = await createOffer(engine, tenant, {
    calendar: { name: "Room 1, north", timezone: "Europe/Berlin" },
  });
  return { tenant, ...offer };
}

async function book(engine: TestEngine, shop: Shop, start: string, n: number, widget = false) {
  const path = widget ? `/v1/widget/${shop.tenant.code}/bookings` : "/api/v1/bookings";
  const token = widget ? shop.tenant.publishableKey : shop.tenant.secretKey;
  const answer = await engine.api("POST", path, {
    token,
    body: bookingBody(shop.calendarId, shop.serviceId, start, n),
  });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  return answer.body as { id: string; start: string; end: string; manageToken?: string };
}

/** Events of a calendar file, placed through the file's own VTIMEZONE (ical.js has no zones). */
function eventsOf(text: string) {
  ICAL.TimezoneService.reset();
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  return calendar.getAllSubcomponents("vevent").map((component) => new ICAL.Event(component));
}

async function fetchText(url: string) {
  const response = await fetch(url);
  return { status: response.status, type: response.headers.get("content-type"), response };
}

for (const dialect of dialectsUnderTest()) {
  const files = suite<Context>(`gateway: iCalendar files and feeds (${dialect.name})`);

  files.before(async (context) => {
    context.scratch = await dialect.create("icsfiles");
    context.engine = await startTestEngine(context.scratch.target);
  });

  files.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  files("staff download a booking's .ics; it places the booking at its instant", async (ctx) => {
    const shop = await openShop(ctx.engine, "staff");
    const booking = await book(ctx.engine, shop, slotAt("10:00"), 1);
    const answer = await ctx.engine.api("GET", `/api/v1/bookings/${booking.id}/ics`, {
      token: shop.tenant.secretKey,
    });
    assert.is(answer.status, 200, String(answer.body));
    assert.match(answer.headers.get("content-type") ?? "", /^text\/calendar/);
    assert.match(answer.headers.get("cache-control") ?? "", /no-store/);
    const [event] = eventsOf(answer.body);
    assert.is(event!.uid, `${booking.id}@vbwd`);
    assert.is(event!.startDate.zone?.tzid, "Europe/Berlin");
    assert.is(event!.startDate.toUnixTime() * 1000, Date.parse(booking.start));
    assert.is(event!.endDate.toUnixTime() * 1000, Date.parse(booking.end));
    assert.is(event!.summary, `30 min with Tenant ${shop.tenant.code}`);
    assert.is(event!.location, "Room 1, north");
    assert.is(event!.attendees[0]!.getFirstValue(), "mailto:c1@example.org");
  });

  files("publishable keys cannot read staff files; other tenants get 404", async (ctx) => {
    const shop = await openShop(ctx.engine, "scope");
    const rival = await openShop(ctx.engine, "rival");
    const booking = await book(ctx.engine, shop, slotAt("11:00"), 2);
    const path = `/api/v1/bookings/${booking.id}/ics`;
    const publishable = await ctx.engine.api("GET", path, { token: shop.tenant.publishableKey });
    assert.is(publishable.status, 403);
    assert.is(publishable.body.error.code, "insufficient_scope");
    const foreign = await ctx.engine.api("GET", path, { token: rival.tenant.secretKey });
    assert.is(foreign.status, 404);
    assert.is(foreign.body.error.code, "not_found");
  });

  files("customers download their booking with its manage token, and only with it", async (ctx) => {
    const shop = await openShop(ctx.engine, "widget");
    const booking = await book(ctx.engine, shop, slotAt("12:00"), 3, true);
    const base = `/v1/widget/${shop.tenant.code}/bookings/${booking.id}/ics`;
    const answer = await ctx.engine.api("GET", `${base}?token=${booking.manageToken}`, {
      token: shop.tenant.publishableKey,
    });
    assert.is(answer.status, 200);
    assert.is(eventsOf(answer.body)[0]!.startDate.toUnixTime() * 1000, Date.parse(booking.start));
    const other = await book(ctx.engine, shop, slotAt("13:00"), 4, true);
    const wrong = await ctx.engine.api("GET", `${base}?token=${other.manageToken}`, {
      token: shop.tenant.publishableKey,
    });
    assert.is(wrong.status, 401, JSON.stringify(wrong.body));
    assert.is(wrong.body.error.code, "invalid_manage_token");
    const missing = await ctx.engine.api("GET", base, { token: shop.tenant.publishableKey });
    assert.is(missing.status, 422);
    assert.is(missing.body.error.code, "invalid_input");
  });

  files("a calendar feed lists its live bookings; cancelling removes one", async (ctx) => {
    const shop = await openShop(ctx.engine, "feed");
    const feedPath = `/api/v1/calendars/${shop.calendarId}/feed`;
    const off = await ctx.engine.api("GET", feedPath, { token: shop.tenant.secretKey });
    assert.equal(off.body, { calendarId: shop.calendarId, enabled: false, createdAt: null });

    const first = await book(ctx.engine, shop, slotAt("09:00"), 5);
    const second = await book(ctx.engine, shop, slotAt("14:00"), 6);
    const on = await ctx.engine.api("POST", feedPath, { token: shop.tenant.secretKey });
    assert.is(on.status, 200, JSON.stringify(on.body));
    assert.ok(
      on.body.url.startsWith(`${ctx.engine.url}/feeds/calendars/${shop.calendarId}/`),
      on.body.url,
    );
    const read = await ctx.engine.api("GET", feedPath, { token: shop.tenant.secretKey });
    assert.is(read.body.enabled, true);
    assert.is(read.body.url, undefined, "the URL is shown only when it is made");

    const feed = await fetch(on.body.url);
    assert.is(feed.status, 200);
    assert.match(feed.headers.get("content-type") ?? "", /^text\/calendar/);
    const events = eventsOf(await feed.text());
    assert.equal(
      events.map((event) => event.uid),
      [`${first.id}@vbwd`, `${second.id}@vbwd`],
    );
    assert.match(events[0]!.description, /c5@example\.org/);

    const cancelled = await ctx.engine.api("POST", `/api/v1/bookings/${first.id}/cancel`, {
      token: shop.tenant.secretKey,
    });
    assert.is(cancelled.status, 200);
    const after = eventsOf(await (await fetch(on.body.url)).text());
    assert.equal(
      after.map((event) => event.uid),
      [`${second.id}@vbwd`],
    );
  });

  files("rotating replaces the feed URL and revoking ends it", async (ctx) => {
    const shop = await openShop(ctx.engine, "rotate");
    const feedPath = `/api/v1/calendars/${shop.calendarId}/feed`;
    const first = await ctx.engine.api("POST", feedPath, { token: shop.tenant.secretKey });
    const second = await ctx.engine.api("POST", feedPath, { token: shop.tenant.secretKey });
    assert.is.not(first.body.url, second.body.url);
    assert.is((await fetchText(first.body.url)).status, 404, "the old URL stopped working");
    assert.is((await fetchText(second.body.url)).status, 200);

    const revoked = await ctx.engine.api("DELETE", feedPath, { token: shop.tenant.secretKey });
    assert.is(revoked.status, 200);
    assert.is(revoked.body.enabled, false);
    const gone = await fetchText(second.body.url);
    assert.is(gone.status, 404);
    const body = (await gone.response.json()) as { error: { code: string } };
    assert.is(body.error.code, "not_found");
  });

  files(
    "feed tokens are checked whole; other tenants and publishable keys cannot manage feeds",
    async (ctx) => {
      const shop = await openShop(ctx.engine, "guard");
      const rival = await openShop(ctx.engine, "guard-rival");
      const feedPath = `/api/v1/calendars/${shop.calendarId}/feed`;
      const made = await ctx.engine.api("POST", feedPath, { token: shop.tenant.secretKey });
      const url = made.body.url as string;
      const token = url.slice(url.lastIndexOf("/") + 1, -".ics".length);
      const flipped = (token[0] === "A" ? "B" : "A") + token.slice(1);
      for (const bad of [
        url.replace(token, flipped),
        url.replace(shop.calendarId, rival.calendarId),
        url.replace(".ics", ""),
        url.replace(token, "short"),
      ]) {
        const answer = await fetchText(bad);
        assert.ok([404, 422].includes(answer.status), `${bad} answered ${answer.status}`);
      }

      const before = await snapshotTables(ctx.engine.engine.services.db);
      const foreign = await ctx.engine.api("POST", feedPath, { token: rival.tenant.secretKey });
      assert.is(foreign.status, 404);
      const publishable = await ctx.engine.api("POST", feedPath, {
        token: shop.tenant.publishableKey,
      });
      assert.is(publishable.status, 403);
      const revokeForeign = await ctx.engine.api("DELETE", feedPath, {
        token: rival.tenant.secretKey,
      });
      assert.is(revokeForeign.status, 404);
      assert.is(await snapshotTables(ctx.engine.engine.services.db), before);
      assert.is((await fetchText(url)).status, 200, "the feed still works");
    },
  );

  files("a suspended tenant's feed answers 402 until it is reactivated", async (ctx) => {
    const shop = await openShop(ctx.engine, "suspended");
    const made = await ctx.engine.api("POST", `/api/v1/calendars/${shop.calendarId}/feed`, {
      token: shop.tenant.secretKey,
    });
    const setStatus = (status: string) =>
      ctx.engine.api("PATCH", `/api/v1/admin/tenants/${shop.tenant.code}`, {
        token: testAdminToken,
        body: { subscriptionStatus: status },
      });
    assert.is((await setStatus("suspended")).status, 200);
    assert.is((await fetchText(made.body.url)).status, 402);
    assert.is((await setStatus("active")).status, 200);
    assert.is((await fetchText(made.body.url)).status, 200);
  });

  files.run();
}
