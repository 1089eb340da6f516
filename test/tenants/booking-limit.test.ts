import { suite } from "uvu";
import * as assert from "uvu/assert";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { signUpTenant, startTestEngine, type TestEngine } from "../support/engine.js";

// The plan's monthly booking limit, as the issue states it: a starter tenant (100 bookings a
// month) sends 101 bookings at once, on four calendars; exactly 100 are made.

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

const times = Array.from({ length: 16 }, (_, i) => {
  const minutes = 9 * 60 + i * 30;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;
});

for (const dialect of dialectsUnderTest()) {
  const limit = suite<Context>(`tenants: the plan's booking limit under load (${dialect.name})`);

  limit.before(async (context) => {
    context.scratch = await dialect.create("booking_limit");
    context.engine = await startTestEngine(context.scratch.target, { RATE_LIMIT_SCALE: "10" });
  });

  limit.after(async ({ engine, scratch }) => {
    await engine.stop();
    await scratch.drop();
  });

  limit(
    "101 concurrent bookings on a 100-booking plan: 100 made, 1 refused",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, "limit-101");
      const tenantView = await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey });
      assert.is(tenantView.body.plan, "starter");
      assert.is(tenantView.body.limits.bookingsPerMonth, 100);
      const offers = await Promise.all([1, 2, 3, 4].map(() => createOffer(engine, tenant)));
      // 4 calendars × 16 half-hours × 2 days = 128 free slots for 101 bookings.
      const slots = offers.flatMap((offer) =>
        [2, 3].flatMap((day) => times.map((time) => ({ ...offer, start: slotAt(time, day) }))),
      );
      const answers = await Promise.all(
        slots.slice(0, 101).map((slot, n) =>
          engine.api("POST", "/api/v1/bookings", {
            token: tenant.secretKey,
            body: bookingBody(slot.calendarId, slot.serviceId, slot.start, n),
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      assert.is(statuses.filter((status) => status === 201).length, 100, String(statuses));
      const refused = answers.filter((answer) => answer.status !== 201);
      assert.is(refused.length, 1);
      assert.is(refused[0]!.status, 429);
      assert.is(refused[0]!.body.error.code, "plan_limit_reached");
      const usage = await engine.api("GET", "/api/v1/usage", { token: tenant.secretKey });
      assert.equal(usage.body.bookings, { used: 100, limit: 100, pending: 0 });
      const listed = await engine.api("GET", "/api/v1/bookings?limit=100", {
        token: tenant.secretKey,
      });
      assert.is(listed.body.data.length, 100);
    },
  );

  limit.run();
}
