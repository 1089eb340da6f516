import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { AvailabilityChange, DomainEvent } from "../../src/engine/change-feed.js";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest } from "../support/databases.js";
import { signUpTenant, startTestEngine } from "../support/engine.js";

const [sqlite] = dialectsUnderTest();
const feed = suite("engine: every commit announces an availability change and a domain event");

feed("a booking and its cancellation each bump the version and report what changed", async () => {
  const scratch = await sqlite!.create("feed");
  const engine = await startTestEngine(scratch.target);
  try {
    const tenant = await signUpTenant(engine, "feed-co");
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const changes: AvailabilityChange[] = [];
    const events: DomainEvent[] = [];
    engine.engine.services.feed.on("availability", (change) => changes.push(change));
    engine.engine.services.feed.on("event", (event) => events.push(event));

    const start = slotAt("10:00");
    const made = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, start),
    });
    await engine.api("POST", `/api/v1/bookings/${made.body.id}/cancel`, {
      token: tenant.secretKey,
    });

    assert.equal(
      events.map((e) => e.type),
      ["booking.created", "booking.cancelled"],
    );
    assert.is(events[0]!.data.id, made.body.id);
    const bookingChanges = changes.filter((c) => c.calendarId === calendarId).slice(-2);
    assert.is(bookingChanges[1]!.version, bookingChanges[0]!.version + 1);
    assert.equal(bookingChanges[0]!.affected, [
      { startMs: Date.parse(start), endMs: Date.parse(start) + 1800_000 },
    ]);
    assert.is(bookingChanges[0]!.tenantId, tenant.id);
  } finally {
    await engine.stop();
    await scratch.drop();
  }
});

feed.run();
