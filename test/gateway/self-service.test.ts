import { suite } from "uvu";
import * as assert from "uvu/assert";
import { issueManageToken, manageTokenKey } from "../../src/tenants/manage-tokens.js";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { snapshotTables } from "../support/table-snapshot.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

/** A tenant with an offer, ready for widget bookings. */
interface Shop {
  tenant: TestTenant;
  calendarId: string;
  serviceId: string;
}

/** A booking made through the widget path, with the token its answer carried. */
interface Managed {
  id: string;
  token: string;
  start: string;
}

let codes = 0;
const nextCode = (name: string) => `self-${name}-${++codes}`;

async function openShop(engine: TestEngine, name: string): Promise<Shop> {
  const tenant = await signUpTenant(engine, nextCode(name));
  return { tenant, ...(await createOffer(engine, tenant)) };
}

async function bookThroughWidget(engine: TestEngine, shop: Shop, start: string, n = 1) {
  const answer = await engine.api("POST", `/v1/widget/${shop.tenant.code}/bookings`, {
    token: shop.tenant.publishableKey,
    body: bookingBody(shop.calendarId, shop.serviceId, start, n),
  });
  assert.is(answer.status, 201, JSON.stringify(answer.body));
  return { id: answer.body.id, token: answer.body.manageToken, start } as Managed;
}

async function setSelfService(engine: TestEngine, shop: Shop, selfService: object) {
  const answer = await engine.api("PATCH", "/api/v1/tenant", {
    token: shop.tenant.secretKey,
    body: { selfService },
  });
  assert.is(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.selfService;
}

/** Calls a manage endpoint of the booking with the shop's publishable key. */
function manage(
  engine: TestEngine,
  shop: Shop,
  booking: { id: string; token: string },
  action?: "cancel" | "reschedule",
  body: object = {},
) {
  const base = `/v1/widget/${shop.tenant.code}/bookings/${booking.id}`;
  if (!action) {
    const query = `?token=${encodeURIComponent(booking.token)}`;
    return engine.api("GET", base + query, { token: shop.tenant.publishableKey });
  }
  return engine.api("POST", `${base}/${action}`, {
    token: shop.tenant.publishableKey,
    body: { token: booking.token, ...body },
  });
}

async function statusOf(engine: TestEngine, id: string) {
  const [row] = await rowsOf(engine, "bookings", { id });
  return { status: row.status as string, startMs: Number(row.start_ms) };
}

for (const dialect of dialectsUnderTest()) {
  const selfService = suite<Context>(`gateway: customer self-service (${dialect.name})`);

  selfService.before(async (context) => {
    context.scratch = await dialect.create("selfservice");
    context.engine = await startTestEngine(context.scratch.target);
  });

  selfService.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  selfService(
    "a tenant allows both with a 24 h cut-off by default; PATCH changes it and the widget config shows it",
    async ({ engine }) => {
      const shop = await openShop(engine, "settings");
      const read = await engine.api("GET", "/api/v1/tenant", { token: shop.tenant.secretKey });
      assert.equal(read.body.selfService, {
        allowCancel: true,
        allowReschedule: true,
        cutoffHours: 24,
      });

      const changed = await setSelfService(engine, shop, { allowCancel: false, cutoffHours: 0 });
      assert.equal(changed, { allowCancel: false, allowReschedule: true, cutoffHours: 0 });
      const config = await engine.api("GET", `/v1/widget/${shop.tenant.code}/config`, {
        token: shop.tenant.publishableKey,
      });
      assert.is(config.status, 200);
      assert.equal(config.body.selfService, changed);
      const again = await engine.api("GET", "/api/v1/tenant", { token: shop.tenant.secretKey });
      assert.equal(again.body.selfService, changed);
    },
  );

  selfService("bad self-service settings are 422 and change nothing", async ({ engine }) => {
    const shop = await openShop(engine, "badsettings");
    const db = engine.engine.services.db;
    for (const selfService of [
      { cutoffHours: -1 },
      { cutoffHours: 1.5 },
      { cutoffHours: 9000 },
      { allowCancel: "yes" },
      { allowRefund: true },
    ]) {
      const before = await snapshotTables(db);
      const answer = await engine.api("PATCH", "/api/v1/tenant", {
        token: shop.tenant.secretKey,
        body: { selfService },
      });
      assert.is(answer.status, 422, JSON.stringify(selfService));
      assert.is(answer.body.error.code, "invalid_input");
      assert.is(await snapshotTables(db), before, `${JSON.stringify(selfService)} changed data`);
    }
  });

  selfService(
    "a widget booking carries a manage token that reads and cancels it; the slot is free again",
    async ({ engine }) => {
      const shop = await openShop(engine, "cancel");
      const booking = await bookThroughWidget(engine, shop, slotAt("10:00"));
      assert.match(booking.token, /^[\w-]+\.[\w-]+\.[\w-]+$/);

      const read = await manage(engine, shop, booking);
      assert.is(read.status, 200);
      assert.is(read.body.id, booking.id);
      assert.is(read.body.status, "confirmed");
      assert.is(read.body.selfService.canCancel, true);
      assert.is(read.body.selfService.canReschedule, true);
      const closes = Date.parse(booking.start) - 24 * 3_600_000;
      assert.is(read.body.selfService.changeableUntil, new Date(closes).toISOString());

      const cancelled = await manage(engine, shop, booking, "cancel");
      assert.is(cancelled.status, 200, JSON.stringify(cancelled.body));
      assert.is(cancelled.body.status, "cancelled");
      assert.is(cancelled.body.selfService.canCancel, false);
      assert.is((await statusOf(engine, booking.id)).status, "cancelled");

      const rebooked = await engine.api("POST", "/api/v1/bookings", {
        token: shop.tenant.secretKey,
        body: bookingBody(shop.calendarId, shop.serviceId, booking.start, 2),
      });
      assert.is(rebooked.status, 201, "the cancelled slot can be booked again");
    },
  );

  selfService("cancelling twice is 409 and changes nothing", async ({ engine }) => {
    const shop = await openShop(engine, "twice");
    const booking = await bookThroughWidget(engine, shop, slotAt("11:00"));
    assert.is((await manage(engine, shop, booking, "cancel")).status, 200);

    const db = engine.engine.services.db;
    const before = await snapshotTables(db);
    for (const action of ["cancel", "reschedule"] as const) {
      const again = await manage(engine, shop, booking, action, { start: slotAt("12:00") });
      assert.is(again.status, 409, action);
      assert.is(again.body.error.code, "conflict");
    }
    assert.is(await snapshotTables(db), before);
  });

  selfService(
    "reschedule moves the booking; a taken time is 409 slot_unavailable and nothing changes",
    async ({ engine }) => {
      const shop = await openShop(engine, "move");
      const booking = await bookThroughWidget(engine, shop, slotAt("10:00"));
      const taken = slotAt("11:00");
      const other = await engine.api("POST", "/api/v1/bookings", {
        token: shop.tenant.secretKey,
        body: bookingBody(shop.calendarId, shop.serviceId, taken, 3),
      });
      assert.is(other.status, 201);

      const db = engine.engine.services.db;
      const before = await snapshotTables(db);
      const refused = await manage(engine, shop, booking, "reschedule", { start: taken });
      assert.is(refused.status, 409);
      assert.is(refused.body.error.code, "slot_unavailable");
      assert.is(await snapshotTables(db), before, "a refused move changed the database");

      const later = slotAt("14:30");
      const moved = await manage(engine, shop, booking, "reschedule", { start: later });
      assert.is(moved.status, 200, JSON.stringify(moved.body));
      assert.is(moved.body.start, later);
      assert.is(moved.body.status, "confirmed");
      assert.type(moved.body.manageToken, "string");
      assert.is((await statusOf(engine, booking.id)).startMs, Date.parse(later));

      const freed = await engine.api("POST", "/api/v1/bookings", {
        token: shop.tenant.secretKey,
        body: bookingBody(shop.calendarId, shop.serviceId, booking.start, 4),
      });
      assert.is(freed.status, 201, "the old time is free after the move");
      const fresh = { id: booking.id, token: moved.body.manageToken };
      assert.is((await manage(engine, shop, fresh)).body.start, later);
    },
  );

  selfService("bad reschedule input is 422 and changes nothing", async ({ engine }) => {
    const shop = await openShop(engine, "badmove");
    const booking = await bookThroughWidget(engine, shop, slotAt("10:00"));
    const db = engine.engine.services.db;
    for (const start of [undefined, "tomorrow", "2026-13-01T10:00:00Z", 42]) {
      const before = await snapshotTables(db);
      const answer = await manage(engine, shop, booking, "reschedule", { start });
      assert.is(answer.status, 422, `${start}: ${JSON.stringify(answer.body)}`);
      assert.is(answer.body.error.code, "invalid_input");
      assert.is(await snapshotTables(db), before, `${start} changed the database`);
    }
    const before = await snapshotTables(db);
    const offGrid = await manage(engine, shop, booking, "reschedule", {
      start: slotAt("10:07"),
    });
    assert.ok([409, 422].includes(offGrid.status), JSON.stringify(offGrid.body));
    assert.is(await snapshotTables(db), before, "an off-grid start changed the database");
  });

  selfService(
    "a tenant that disallows a change refuses it with 403 self_service_disabled",
    async ({ engine }) => {
      const shop = await openShop(engine, "disallow");
      const booking = await bookThroughWidget(engine, shop, slotAt("10:00"));
      await setSelfService(engine, shop, { allowCancel: false, allowReschedule: false });
      const read = await manage(engine, shop, booking);
      assert.is(read.status, 200, "the customer may still look at the booking");
      assert.is(read.body.selfService.canCancel, false);
      assert.is(read.body.selfService.canReschedule, false);

      const db = engine.engine.services.db;
      const before = await snapshotTables(db);
      for (const action of ["cancel", "reschedule"] as const) {
        const answer = await manage(engine, shop, booking, action, { start: slotAt("12:00") });
        assert.is(answer.status, 403, action);
        assert.is(answer.body.error.code, "self_service_disabled");
      }
      assert.is(await snapshotTables(db), before);

      await setSelfService(engine, shop, { allowReschedule: true });
      const moved = await manage(engine, shop, booking, "reschedule", { start: slotAt("12:00") });
      assert.is(moved.status, 200, "rescheduling alone can be allowed");
      const cancel = await manage(engine, shop, booking, "cancel");
      assert.is(cancel.status, 403);
    },
  );

  selfService("past the cut-off a change is 409 change_window_closed", async ({ engine }) => {
    const shop = await openShop(engine, "cutoff");
    // Two days ahead at most: a 72-hour cut-off has passed, no cut-off has not.
    const booking = await bookThroughWidget(engine, shop, slotAt("10:00"));
    await setSelfService(engine, shop, { cutoffHours: 72 });
    const read = await manage(engine, shop, booking);
    assert.is(read.body.selfService.canCancel, false);

    const db = engine.engine.services.db;
    const before = await snapshotTables(db);
    for (const action of ["cancel", "reschedule"] as const) {
      const answer = await manage(engine, shop, booking, action, { start: slotAt("13:00") });
      assert.is(answer.status, 409, action);
      assert.is(answer.body.error.code, "change_window_closed");
      assert.equal(answer.body.error.details, { cutoffHours: 72 });
    }
    assert.is(await snapshotTables(db), before);

    await setSelfService(engine, shop, { cutoffHours: 0 });
    assert.is((await manage(engine, shop, booking, "cancel")).status, 200);
  });

  selfService(
    "tampered, expired, foreign and staff tokens are 401 invalid_manage_token",
    async ({ engine }) => {
      const shop = await openShop(engine, "tokens");
      const booking = await bookThroughWidget(engine, shop, slotAt("10:00"));
      const sibling = await bookThroughWidget(engine, shop, slotAt("11:00"), 2);
      const key = manageTokenKey(engine.engine.services.secrets.jwtKey);
      const expired = await issueManageToken(key, {
        tenantId: shop.tenant.id,
        bookingId: booking.id,
        bookingEndMs: Date.now() - 8 * 86_400_000,
      });
      const login = await engine.api("POST", "/api/v1/auth/login", {
        body: {
          tenantCode: shop.tenant.code,
          email: shop.tenant.email,
          password: "correct horse battery",
        },
      });
      assert.is(login.status, 200);
      const [head, payload, signature] = booking.token.split(".") as [string, string, string];
      const flipped = signature.startsWith("A")
        ? `B${signature.slice(1)}`
        : `A${signature.slice(1)}`;
      const tokens: Record<string, string> = {
        tampered: `${head}.${payload}.${flipped}`,
        "another booking's": sibling.token,
        expired: expired.token,
        "a staff token": login.body.token,
        garbage: "not-a-token",
      };

      const db = engine.engine.services.db;
      const before = await snapshotTables(db);
      for (const [name, token] of Object.entries(tokens)) {
        for (const action of [undefined, "cancel", "reschedule"] as const) {
          const answer = await manage(engine, shop, { id: booking.id, token }, action, {
            start: slotAt("12:00"),
          });
          assert.is(answer.status, 401, `${name} ${action ?? "read"}`);
          assert.is(answer.body.error.code, "invalid_manage_token", name);
        }
      }
      const missing = await engine.api(
        "POST",
        `/v1/widget/${shop.tenant.code}/bookings/${booking.id}/cancel`,
        { token: shop.tenant.publishableKey, body: {} },
      );
      assert.is(missing.status, 422);
      assert.is(await snapshotTables(db), before);

      const asStaff = await engine.api("GET", "/api/v1/tenant", { token: booking.token });
      assert.is(asStaff.status, 401, "a manage token is no staff token");
      assert.is((await statusOf(engine, booking.id)).status, "confirmed");
    },
  );

  selfService("another tenant's token, key or path never reaches a booking", async ({ engine }) => {
    const clinic = await openShop(engine, "clinic");
    const rival = await openShop(engine, "rival");
    const booking = await bookThroughWidget(engine, clinic, slotAt("10:00"));
    const theirs = await bookThroughWidget(engine, rival, slotAt("10:00"));
    const db = engine.engine.services.db;
    const before = await snapshotTables(db);

    for (const action of [undefined, "cancel"] as const) {
      const onRivalPath = await manage(engine, rival, booking, action);
      assert.is(onRivalPath.status, 401, `clinic token on the rival's path: ${action}`);
      assert.is(onRivalPath.body.error.code, "invalid_manage_token");
      const crossed = await manage(engine, rival, { id: booking.id, token: theirs.token }, action);
      assert.is(crossed.status, 401, "the rival's own token for the clinic's booking");
    }
    const mixedKey = await engine.api(
      "GET",
      `/v1/widget/${clinic.tenant.code}/bookings/${booking.id}?token=${booking.token}`,
      { token: rival.tenant.publishableKey },
    );
    assert.is(mixedKey.status, 403);
    assert.is(mixedKey.body.error.code, "tenant_mismatch");
    const operator = await engine.api("GET", `/api/v1/bookings/${booking.id}/manage-token`, {
      token: rival.tenant.secretKey,
    });
    assert.is(operator.status, 404, "the rival's secret key cannot mint a clinic token");
    assert.is(await snapshotTables(db), before);
    assert.is((await statusOf(engine, booking.id)).status, "confirmed");
  });

  selfService(
    "secret keys read a booking's manage token; publishable keys cannot",
    async ({ engine }) => {
      const shop = await openShop(engine, "operator");
      const made = await engine.api("POST", "/api/v1/bookings", {
        token: shop.tenant.secretKey,
        body: bookingBody(shop.calendarId, shop.serviceId, slotAt("15:00"), 5),
      });
      assert.is(made.status, 201);
      assert.is(made.body.manageToken, undefined, "the operator booking answer is unchanged");
      const path = `/api/v1/bookings/${made.body.id}/manage-token`;
      const minted = await engine.api("GET", path, { token: shop.tenant.secretKey });
      assert.is(minted.status, 200);
      const read = await manage(engine, shop, { id: made.body.id, token: minted.body.manageToken });
      assert.is(read.status, 200);
      assert.is(read.body.customer.email, "c5@example.org");
      const refused = await engine.api("GET", path, { token: shop.tenant.publishableKey });
      assert.is(refused.status, 403);
      assert.is(refused.body.error.code, "insufficient_scope");
    },
  );

  selfService.run();
}
