import { Client as McpClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { DateTime } from "luxon";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  createAgentKey,
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";

/** A tenant with an offer, keys for every protocol, and a staff token. */
interface Shop {
  tenant: TestTenant;
  agentKey: string;
  staffToken: string;
  calendarId: string;
  serviceId: string;
}

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  clinic: Shop;
  /** Bookings of the clinic the tests made, by protocol. */
  made: Record<string, string>;
}

async function openShop(engine: TestEngine, code: string, timezone?: string): Promise<Shop> {
  const email = `owner@${code}.example.org`;
  const password = "correct horse battery";
  let tenant: TestTenant;
  if (timezone) {
    const body = { tenantCode: code, name: code, businessType: "medical", email, password };
    const answer = await engine.api("POST", "/api/v1/signup", { body: { ...body, timezone } });
    assert.is(answer.status, 201, JSON.stringify(answer.body));
    const { tenant: made, keys } = answer.body;
    tenant = {
      id: made.id,
      code,
      secretKey: keys.secret,
      publishableKey: keys.publishable,
      email,
      password,
    };
  } else {
    tenant = await signUpTenant(engine, code);
  }
  const offer = await createOffer(engine, tenant);
  const agentKey = await createAgentKey(engine, tenant);
  return { tenant, agentKey, staffToken: await logIn(engine, tenant), ...offer };
}

async function logIn(engine: TestEngine, tenant: TestTenant): Promise<string> {
  const answer = await engine.api("POST", "/api/v1/auth/login", {
    body: { tenantCode: tenant.code, email: tenant.email, password: tenant.password },
  });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.token as string;
}

async function bookOverRest(engine: TestEngine, shop: Shop, start: string): Promise<string> {
  const answer = await engine.api("POST", "/api/v1/bookings", {
    token: shop.tenant.secretKey,
    body: bookingBody(shop.calendarId, shop.serviceId, start, 1),
  });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.id as string;
}

async function bookOverWidget(engine: TestEngine, shop: Shop, start: string): Promise<string> {
  const answer = await engine.api("POST", `/v1/widget/${shop.tenant.code}/bookings`, {
    token: shop.tenant.publishableKey,
    body: bookingBody(shop.calendarId, shop.serviceId, start, 2),
  });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  return answer.body.id as string;
}

async function bookOverGraphql(engine: TestEngine, shop: Shop, start: string): Promise<string> {
  const query = `mutation Book($input: BookingInput!) { book(input: $input) { id } }`;
  const input = bookingBody(shop.calendarId, shop.serviceId, start, 3);
  const answer = await engine.api("POST", "/graphql", {
    token: shop.agentKey,
    body: { query, variables: { input } },
  });
  assert.not.ok(answer.body.errors, JSON.stringify(answer.body.errors));
  return answer.body.data.book.id as string;
}

async function bookOverMcp(engine: TestEngine, shop: Shop, start: string): Promise<string> {
  const transport = new StreamableHTTPClientTransport(new URL(`${engine.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${shop.agentKey}` } },
  });
  const client = new McpClient({ name: "analytics-test", version: "1.0.0" });
  await client.connect(transport);
  try {
    const result = (await client.callTool({
      name: "book_appointment",
      arguments: { ...bookingBody(shop.calendarId, shop.serviceId, start, 4) },
    })) as CallToolResult;
    assert.not.ok(result.isError, JSON.stringify(result.content));
    return (result.structuredContent as { id: string }).id;
  } finally {
    await client.close();
  }
}

function analytics(engine: TestEngine, token: string, query = "") {
  return engine.api("GET", `/api/v1/analytics${query}`, { token });
}

/** Today and the day after tomorrow in UTC, the window the bookings fall in. */
function bookingWindow(): string {
  const today = DateTime.utc();
  return `?from=${today.toISODate()}&to=${today.plus({ days: 3 }).toISODate()}`;
}

for (const dialect of dialectsUnderTest()) {
  const test = suite<Context>(`gateway: analytics (${dialect.name})`);

  test.before(async (context) => {
    context.scratch = await dialect.create("analytics");
    context.engine = await startTestEngine(context.scratch.target);
    context.clinic = await openShop(context.engine, "stats-clinic");
    context.made = {};
  });

  test.after(async ({ engine, scratch }) => {
    await engine?.stop();
    await scratch?.drop();
  });

  test("counts bookings made over REST, GraphQL, MCP and the widget per protocol", async (context) => {
    const { engine, clinic, made } = context;
    made.rest = await bookOverRest(engine, clinic, slotAt("09:00"));
    made.widget = await bookOverWidget(engine, clinic, slotAt("10:00"));
    made.graphql = await bookOverGraphql(engine, clinic, slotAt("11:00"));
    made.mcp = await bookOverMcp(engine, clinic, slotAt("12:00"));

    const sources = await rowsOf(engine, "bookings", { tenant_id: clinic.tenant.id });
    assert.equal(
      Object.fromEntries(
        sources.map((row: { id: string; source: string }) => [row.id, row.source]),
      ),
      {
        [made.rest]: "rest",
        [made.widget]: "widget",
        [made.graphql]: "graphql",
        [made.mcp]: "mcp",
      },
    );

    const answer = await analytics(engine, clinic.staffToken, bookingWindow());
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    assert.is(answer.body.timezone, "UTC");
    assert.is(answer.body.days.length, 4);
    const today = answer.body.days.find((day: { date: string }) => day.date === localToday("UTC"));
    assert.is(today.bookings, 4);
    assert.equal(today.protocols, {
      rest: 1,
      graphql: 1,
      mcp: 1,
      agentProtocol: 0,
      a2a: 0,
      widget: 1,
      webhook: 0,
    });
    const requests = answer.body.totals.requests;
    for (const protocol of ["rest", "graphql", "mcp", "widget"]) {
      assert.ok(requests[protocol] >= 1, `requests over ${protocol}: ${requests[protocol]}`);
    }
    assert.is(requests.a2a, 0);
  });

  test("adds each flush's requests to the day's row", async ({ engine, clinic }) => {
    const first = await analytics(engine, clinic.staffToken, bookingWindow());
    const second = await analytics(engine, clinic.staffToken, bookingWindow());
    // The first analytics call itself is the one REST request made in between.
    assert.is(second.body.totals.requests.rest, first.body.totals.requests.rest + 1);
    const rows = await rowsOf(engine, "tenant_protocol_usage", {
      tenant_id: clinic.tenant.id,
      protocol: "rest",
    });
    assert.is(rows.length, 1);
  });

  test("counts a cancellation and a no-show and the revenue of confirmed bookings", async (context) => {
    const { clinic, made } = context;
    let engine = context.engine;
    const cancelled = await engine.api("POST", `/api/v1/bookings/${made.rest}/cancel`, {
      token: clinic.staffToken,
    });
    assert.is(cancelled.status, 200);
    const missed = await bookOverRest(engine, clinic, slotAt("13:00"));

    // A no-show needs a booking whose start has passed: move it back while the engine is down
    // (stopping also writes the counted requests), then mark it through the API.
    await engine.stop();
    const startMs = Date.now() - 2 * 3_600_000;
    engine = context.engine = await startTestEngine(context.scratch.target);
    await rowsOf(engine, "bookings", { id: missed }).update({
      start_ms: startMs,
      end_ms: startMs + 30 * 60_000,
    });
    const noShow = await engine.api("POST", `/api/v1/bookings/${missed}/no-show`, {
      token: clinic.staffToken,
    });
    assert.is(noShow.status, 200, JSON.stringify(noShow.body));

    const window = `?from=${DateTime.utc().minus({ days: 1 }).toISODate()}&to=${DateTime.utc()
      .plus({ days: 3 })
      .toISODate()}`;
    const answer = await analytics(engine, clinic.staffToken, window);
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    const { totals, days } = answer.body;
    assert.is(totals.bookings, 5);
    assert.is(totals.cancellations, 1);
    assert.is(totals.noShows, 1);
    assert.is(totals.protocols.rest, 2);
    const today = days.find((day: { date: string }) => day.date === localToday("UTC"));
    assert.is(today.cancellations, 1);
    assert.is(today.noShows, 1);
    // Three confirmed bookings of 40.00 start the day after tomorrow; cancelled and missed
    // ones earn nothing.
    const bookedDay = days.find(
      (day: { date: string }) => day.date === slotAt("09:00").slice(0, 10),
    );
    const currency = Object.keys(bookedDay.revenueCents);
    assert.is(currency.length, 1);
    assert.is(bookedDay.revenueCents[currency[0]!], 12_000);
    assert.equal(totals.revenueCents, bookedDay.revenueCents);
    // Requests counted before the restart were written when the engine stopped.
    assert.ok(totals.requests.graphql >= 1 && totals.requests.mcp >= 1);
  });

  test("answers the last 30 days in the tenant's time zone by default", async ({ engine }) => {
    const zone = "Pacific/Kiritimati";
    const islands = await openShop(engine, "stats-islands", zone);
    await bookOverRest(engine, islands, slotAt("09:00"));
    const answer = await analytics(engine, islands.staffToken);
    assert.is(answer.status, 200, JSON.stringify(answer.body));
    assert.is(answer.body.timezone, zone);
    assert.is(answer.body.days.length, 30);
    assert.is(answer.body.to, localToday(zone));
    assert.is(answer.body.days.at(-1).bookings, 1);
    assert.is(answer.body.totals.bookings, 1);
  });

  test("shows a tenant its own figures only", async ({ engine, clinic }) => {
    const rival = await openShop(engine, "stats-rival");
    await bookOverWidget(engine, rival, slotAt("14:00"));
    const mine = await analytics(engine, rival.staffToken, bookingWindow());
    assert.is(mine.body.totals.bookings, 1);
    assert.is(mine.body.totals.protocols.widget, 1);
    assert.is(mine.body.totals.cancellations, 0);
    assert.equal(mine.body.totals.requests.graphql, 0);
    assert.equal(mine.body.totals.requests.mcp, 0);
    const theirs = await analytics(engine, clinic.staffToken, bookingWindow());
    assert.is(theirs.body.totals.bookings, 5);
    assert.is(theirs.body.totals.protocols.widget, 1);
  });

  test("is refused outside a plan with analytics, and open to trials", async ({ engine }) => {
    const shop = await openShop(engine, "stats-starter");
    assert.is((await analytics(engine, shop.staffToken)).status, 200, "a trial evaluates it");

    const setTenant = (body: object) =>
      engine.api("PATCH", `/api/v1/admin/tenants/${shop.tenant.code}`, {
        token: testAdminToken,
        body,
      });
    assert.is((await setTenant({ subscriptionStatus: "active" })).status, 200);
    const refused = await analytics(engine, shop.staffToken);
    assert.is(refused.status, 403);
    assert.is(refused.body.error.code, "feature_not_in_plan");
    assert.match(refused.body.error.message, /starter/);

    assert.is((await setTenant({ planSlug: "business" })).status, 200);
    assert.is((await analytics(engine, shop.staffToken)).status, 200);
  });

  test("refuses bad dates and windows with the error shape", async ({ engine, clinic }) => {
    const refusals = [
      "?from=2026-13-01",
      "?from=yesterday",
      "?to=2026-02-30",
      "?from=2026-03-10&to=2026-03-01",
      "?from=2025-01-01&to=2026-01-02",
    ];
    for (const query of refusals) {
      const answer = await analytics(engine, clinic.staffToken, query);
      assert.is(answer.status, 422, `${query}: ${JSON.stringify(answer.body)}`);
      assert.is(answer.body.error.code, "invalid_input", query);
    }
    const longest = await analytics(engine, clinic.staffToken, "?from=2025-01-01&to=2026-01-01");
    assert.is(longest.status, 200);
    assert.is(longest.body.days.length, 366);
  });

  test("takes staff tokens and secret keys only", async ({ engine, clinic }) => {
    assert.is((await analytics(engine, clinic.tenant.secretKey)).status, 200);
    const widget = await analytics(engine, clinic.tenant.publishableKey);
    assert.is(widget.status, 403);
    assert.is((await analytics(engine, "")).status, 401);
  });

  test.run();
}

function localToday(zone: string): string {
  return DateTime.now().setZone(zone).toISODate()!;
}
