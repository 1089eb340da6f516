import { suite } from "uvu";
import * as assert from "uvu/assert";
import { knexOf } from "../../src/engine/knex-access.js";
import { sleep } from "../support/actor-fakes.js";
import {
  addService,
  bookingBody,
  createOffer,
  rowsOf,
  slotAt,
} from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  testAdminToken,
  type TestEngine,
} from "../support/engine.js";
import { snapshotTables } from "../support/table-snapshot.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

let codes = 0;
const nextCode = (name: string) => `${name}-${++codes}`;

for (const dialect of dialectsUnderTest()) {
  const booking = suite<Context>(`gateway: bookings over REST (${dialect.name})`);

  booking.before(async (context) => {
    context.scratch = await dialect.create("booking");
    context.engine = await startTestEngine(context.scratch.target);
  });

  booking.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  booking("200 concurrent requests for one slot: exactly one 201, 199 409s", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("race"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const start = slotAt("10:00");
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, n) =>
        engine.api("POST", "/api/v1/bookings", {
          token: tenant.secretKey,
          body: bookingBody(calendarId, serviceId, start, n),
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    assert.is(statuses.filter((s) => s === 201).length, 1);
    assert.is(statuses.filter((s) => s === 409).length, 199);
    assert.ok(
      answers
        .filter((a) => a.status === 409)
        .every((a) => a.body.error.code === "slot_unavailable"),
    );
    const stored = await rowsOf(engine, "bookings", { calendar_id: calendarId });
    assert.is(stored.length, 1);
    const claims = await rowsOf(engine, "slot_claims", { calendar_id: calendarId });
    assert.is(claims.length, 6, "a 30-minute booking claims six 5-minute cells");
  });

  booking("overlaps of different durations are refused", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("overlap"));
    const { calendarId, serviceId: hour } = await createOffer(engine, tenant, {
      durationMinutes: 60,
    });
    const half = await addService(engine, tenant, calendarId, 30);
    const first = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, hour, slotAt("10:00")),
    });
    assert.is(first.status, 201);
    for (const time of ["10:30", "10:00"]) {
      const overlapping = await engine.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: bookingBody(calendarId, half, slotAt(time), 1),
      });
      assert.is(overlapping.status, 409, time);
    }
    const after = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, half, slotAt("11:00"), 2),
    });
    assert.is(after.status, 201);
  });

  booking("capacity 3 takes exactly 3 of 10 concurrent bookings", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("seats"));
    const { calendarId, serviceId } = await createOffer(engine, tenant, { capacity: 3 });
    const start = slotAt("12:00");
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, n) =>
        engine.api("POST", "/api/v1/bookings", {
          token: tenant.secretKey,
          body: bookingBody(calendarId, serviceId, start, n),
        }),
      ),
    );
    assert.is(answers.filter((a) => a.status === 201).length, 3);
    const availability = await engine.api(
      "GET",
      `/api/v1/calendars/${calendarId}/availability?serviceId=${serviceId}&from=${encodeURIComponent(start)}&to=${encodeURIComponent(slotAt("13:00"))}`,
      { token: tenant.publishableKey },
    );
    assert.equal(
      availability.body.slots.map((s: { start: string }) => s.start),
      [slotAt("12:30")],
    );
  });

  booking("a hold blocks others, expires on time, and the slot comes back", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("hold"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const shortHolds = await engine.api("PATCH", "/api/v1/tenant", {
      token: tenant.secretKey,
      body: { holdTtlSeconds: 60 },
    });
    assert.is(shortHolds.status, 200);
    assert.is(shortHolds.body.holdTtlSeconds, 60);
    // The API's minimum is a minute; the test shortens it further underneath, then reloads.
    await knexOf(engine.engine.services.db)("tenants")
      .where({ id: tenant.id })
      .update({ hold_ttl_seconds: 2 });
    await engine.api("PATCH", `/api/v1/calendars/${calendarId}`, {
      token: tenant.secretKey,
      body: { name: "Room 2" },
    });
    const start = slotAt("14:00");
    const hold = await engine.api("POST", "/v1/widget/" + tenant.code + "/holds", {
      headers: { "x-api-key": tenant.publishableKey },
      body: { calendarId, serviceId, start },
    });
    assert.is(hold.status, 201);
    const expiresIn = Date.parse(hold.body.expiresAt) - Date.now();
    assert.ok(expiresIn > 1000 && expiresIn <= 2000, `expires in ${expiresIn} ms`);

    const blocked = await engine.api("POST", "/api/v1/holds", {
      token: tenant.secretKey,
      body: { calendarId, serviceId, start },
    });
    assert.is(blocked.status, 409);
    await sleep(1000);
    const stillBlocked = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, start),
    });
    assert.is(stillBlocked.status, 409, "the hold ended early");
    await sleep(1500);
    const [stored] = await rowsOf(engine, "holds", { id: hold.body.id });
    assert.is(stored.status, "expired");
    const late = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: { ...bookingBody(calendarId, serviceId, start), holdId: hold.body.id },
    });
    assert.is(late.status, 409);
    assert.is(late.body.error.code, "hold_expired");
    const free = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, start),
    });
    assert.is(free.status, 201);
  });

  booking("a released hold frees the slot at once", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("release"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const start = slotAt("15:00");
    const hold = await engine.api("POST", "/api/v1/holds", {
      token: tenant.publishableKey,
      body: { calendarId, serviceId, start },
    });
    const released = await engine.api("DELETE", `/api/v1/holds/${hold.body.id}`, {
      token: tenant.publishableKey,
    });
    assert.is(released.status, 200);
    const booked = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, start),
    });
    assert.is(booked.status, 201);
  });

  booking("a reschedule race leaves one winner and the loser unchanged", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("resched"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const make = async (time: string, n: number) =>
      (
        await engine.api("POST", "/api/v1/bookings", {
          token: tenant.secretKey,
          body: bookingBody(calendarId, serviceId, slotAt(time), n),
        })
      ).body;
    const [a, b] = [await make("09:00", 1), await make("09:30", 2)];
    const target = slotAt("16:00");
    const moves = await Promise.all(
      [a, b].map((booking) =>
        engine.api("POST", `/api/v1/bookings/${booking.id}/reschedule`, {
          token: tenant.secretKey,
          body: { start: target },
        }),
      ),
    );
    assert.equal(moves.map((m) => m.status).sort(), [200, 409]);
    const loser = [a, b][moves.findIndex((m) => m.status === 409)];
    const after = await engine.api("GET", `/api/v1/bookings/${loser.id}`, {
      token: tenant.secretKey,
    });
    assert.is(after.body.start, loser.start);
    assert.is(after.body.status, "confirmed");
  });

  booking(
    "the monthly limit is reached exactly by concurrent bookings on several calendars",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, nextCode("limit"));
      // An active tenant's secret key needs a plan with API access.
      await engine.api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
        token: testAdminToken,
        body: { planSlug: "professional" },
      });
      await knexOf(engine.engine.services.db)("tenants")
        .where({ id: tenant.id })
        .update({ max_bookings_per_month: 5 });
      await engine.api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
        token: testAdminToken,
        body: { subscriptionStatus: "active" },
      });
      const offers = await Promise.all([1, 2, 3].map(() => createOffer(engine, tenant)));
      const times = ["09:00", "10:00", "11:00", "12:00"];
      const answers = await Promise.all(
        offers.flatMap(({ calendarId, serviceId }, c) =>
          times.map((time, t) =>
            engine.api("POST", "/api/v1/bookings", {
              token: tenant.secretKey,
              body: bookingBody(calendarId, serviceId, slotAt(time), c * 10 + t),
            }),
          ),
        ),
      );
      assert.is(answers.filter((a) => a.status === 201).length, 5);
      const refused = answers.filter((a) => a.status === 429);
      assert.is(refused.length, 7);
      assert.ok(refused.every((a) => a.body.error.code === "plan_limit_reached"));
      const usage = await engine.api("GET", "/api/v1/usage", { token: tenant.secretKey });
      assert.equal(usage.body.bookings, { used: 5, limit: 5, pending: 0 });
    },
  );

  booking(
    "the same Idempotency-Key replays the booking; with another body it is 409",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, nextCode("idem"));
      const { calendarId, serviceId } = await createOffer(engine, tenant);
      const body = bookingBody(calendarId, serviceId, slotAt("13:00"));
      const send = (payload: object) =>
        engine.api("POST", "/api/v1/bookings", {
          token: tenant.secretKey,
          headers: { "idempotency-key": "order-42" },
          body: payload,
        });
      const [first, second] = await Promise.all([send(body), send(body)]);
      assert.equal([first.status, second.status], [201, 201]);
      assert.is(first.body.id, second.body.id);
      const other = await send({ ...body, start: slotAt("13:30") });
      assert.is(other.status, 409);
      assert.is(other.body.error.code, "idempotency_key_reused");
      assert.is((await rowsOf(engine, "bookings", { calendar_id: calendarId })).length, 1);
    },
  );

  booking(
    "another tenant's key gets 404 on this tenant's calendars and bookings",
    async ({ engine }) => {
      const owner = await signUpTenant(engine, nextCode("iso-a"));
      const stranger = await signUpTenant(engine, nextCode("iso-b"));
      const { calendarId, serviceId } = await createOffer(engine, owner);
      const made = await engine.api("POST", "/api/v1/bookings", {
        token: owner.secretKey,
        body: bookingBody(calendarId, serviceId, slotAt("11:30")),
      });
      const attempts = [
        engine.api("GET", `/api/v1/calendars/${calendarId}/availability`, {
          token: stranger.secretKey,
        }),
        engine.api("GET", `/api/v1/bookings/${made.body.id}`, { token: stranger.secretKey }),
        engine.api("POST", `/api/v1/bookings/${made.body.id}/cancel`, {
          token: stranger.secretKey,
        }),
        engine.api("POST", "/api/v1/bookings", {
          token: stranger.secretKey,
          body: bookingBody(calendarId, serviceId, slotAt("12:30")),
        }),
      ];
      for (const answer of await Promise.all(attempts)) {
        assert.is(answer.status, 404, JSON.stringify(answer.body));
        assert.not.ok(JSON.stringify(answer.body).includes("Customer"));
      }
      const listed = await engine.api("GET", "/api/v1/bookings", { token: stranger.secretKey });
      assert.equal(listed.body.data, []);
      const publishableList = await engine.api("GET", "/api/v1/bookings", {
        token: owner.publishableKey,
      });
      assert.is(publishableList.status, 403);
    },
  );

  booking("bad booking input gets a clear 4xx and changes nothing", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("bad"));
    const { calendarId, serviceId } = await createOffer(engine, tenant, {
      calendar: { horizonDays: 10 },
    });
    const db = engine.engine.services.db;
    const cases: [string, object, number, string][] = [
      [
        "unknown calendar",
        bookingBody("cal_nosuchcalendar", serviceId, slotAt("10:00")),
        404,
        "not_found",
      ],
      [
        "unknown service",
        bookingBody(calendarId, "svc_nosuchservice", slotAt("10:00")),
        422,
        "invalid_input",
      ],
      ["off the grid", bookingBody(calendarId, serviceId, slotAt("10:10")), 422, "invalid_input"],
      ["outside hours", bookingBody(calendarId, serviceId, slotAt("20:00")), 422, "invalid_input"],
      [
        "in the past",
        bookingBody(calendarId, serviceId, slotAt("10:00", -2)),
        422,
        "invalid_input",
      ],
      [
        "beyond the horizon",
        bookingBody(calendarId, serviceId, slotAt("10:00", 40)),
        422,
        "invalid_input",
      ],
      [
        "not a time",
        { ...bookingBody(calendarId, serviceId, "tomorrow"), start: "tomorrow" },
        422,
        "invalid_input",
      ],
      ["no customer", { calendarId, serviceId, start: slotAt("10:00") }, 422, "invalid_input"],
      [
        "a bad email",
        {
          ...bookingBody(calendarId, serviceId, slotAt("10:00")),
          customer: { name: "A", email: "nope" },
        },
        422,
        "invalid_input",
      ],
      [
        "an unknown hold",
        { ...bookingBody(calendarId, serviceId, slotAt("10:00")), holdId: "hld_nosuchhold" },
        409,
        "hold_expired",
      ],
    ];
    for (const [name, body, status, code] of cases) {
      const before = await snapshotTables(db);
      const answer = await engine.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body,
      });
      assert.is(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
      assert.is(answer.body.error.code, code, name);
      assert.is(await snapshotTables(db), before, `${name} changed the database`);
    }
  });

  booking("a restart keeps holds and bookings", async ({ engine, scratch }) => {
    const tenant = await signUpTenant(engine, nextCode("restart"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const held = await engine.api("POST", "/api/v1/holds", {
      token: tenant.publishableKey,
      body: { calendarId, serviceId, start: slotAt("09:00", 3) },
    });
    const booked = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, slotAt("10:00", 3)),
    });
    assert.equal([held.status, booked.status], [201, 201]);

    const second = await startTestEngine(scratch.target);
    try {
      for (const time of ["09:00", "10:00"]) {
        const again = await second.api("POST", "/api/v1/bookings", {
          token: tenant.secretKey,
          body: bookingBody(calendarId, serviceId, slotAt(time, 3), 9),
        });
        assert.is(again.status, 409, `${time} was free after the restart`);
      }
      const viaHold = await second.api("POST", "/api/v1/bookings", {
        token: tenant.secretKey,
        body: { ...bookingBody(calendarId, serviceId, slotAt("09:00", 3)), holdId: held.body.id },
      });
      assert.is(viaHold.status, 201);
    } finally {
      await second.stop();
    }
  });

  booking.run();
}
