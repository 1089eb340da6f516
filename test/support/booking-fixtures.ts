import { knexOf } from "../../src/engine/knex-access.js";
import type { TestEngine, TestTenant } from "./engine.js";

const everyDay = (hours: [string, string][]) =>
  Object.fromEntries(["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, hours]));

/** A calendar open 09:00–17:00 UTC every day and one service on it. */
export async function createOffer(
  engine: TestEngine,
  tenant: TestTenant,
  options: { capacity?: number; durationMinutes?: number; calendar?: Record<string, unknown> } = {},
) {
  const calendar = await engine.api("POST", "/api/v1/calendars", {
    token: tenant.secretKey,
    body: {
      name: "Room",
      timezone: "UTC",
      capacity: options.capacity ?? 1,
      weeklyHours: everyDay([["09:00", "17:00"]]),
      slotIntervalMinutes: 30,
      ...options.calendar,
    },
  });
  if (calendar.status !== 201) throw new Error(`calendar: ${JSON.stringify(calendar.body)}`);
  const service = await addService(engine, tenant, calendar.body.id, options.durationMinutes ?? 30);
  return { calendarId: calendar.body.id as string, serviceId: service };
}

/** Adds a service of the given length to a calendar. */
export async function addService(
  engine: TestEngine,
  tenant: TestTenant,
  calendarId: string,
  durationMinutes: number,
): Promise<string> {
  const service = await engine.api("POST", "/api/v1/services", {
    token: tenant.secretKey,
    body: {
      calendarIds: [calendarId],
      name: `${durationMinutes} min`,
      durationMinutes,
      priceCents: 4000,
    },
  });
  if (service.status !== 201) throw new Error(`service: ${JSON.stringify(service.body)}`);
  return service.body.id as string;
}

/** `hh:mm` UTC on the day after tomorrow, as an ISO time. */
export function slotAt(time: string, daysAhead = 2): string {
  const day = new Date(Date.now() + daysAhead * 86_400_000).toISOString().slice(0, 10);
  return `${day}T${time}:00.000Z`;
}

/** A booking body for a customer. */
export function bookingBody(calendarId: string, serviceId: string, start: string, n = 0) {
  return {
    calendarId,
    serviceId,
    start,
    customer: { name: `Customer ${n}`, email: `c${n}@example.org` },
  };
}

/** Rows of a table matching a condition, read straight from the engine's database. */
export function rowsOf(engine: TestEngine, table: string, where: Record<string, unknown>) {
  return knexOf(engine.engine.services.db)(table).where(where);
}
