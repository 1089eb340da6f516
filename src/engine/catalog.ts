import type { EntityManager } from "@mikro-orm/core";
import type { CalendarRules } from "../domain/availability.js";
import { errors } from "../domain/app-error.js";
import { Booking, Calendar, Service, ServiceCalendar } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";

/** The settings of a calendar a tenant may set: its name and the rules that make slots. */
export type CalendarSettings = CalendarRules & { name: string };

/** The settings of a service a tenant may set. */
export interface ServiceSettings {
  name: string;
  description: string | null;
  durationMinutes: number;
  priceCents: number;
  currency: string;
  calendarIds: string[];
  /** Booked only through a paid checkout; needs a price above zero. */
  requiresPrepayment?: boolean;
}

/** Refuses prepayment on a free service: there would be nothing to pay. */
function assertPayable(service: Pick<Service, "requiresPrepayment" | "priceCents">): void {
  if (service.requiresPrepayment && service.priceCents <= 0) {
    throw errors.invalidInput([
      {
        path: "requiresPrepayment",
        message: "only a service with a price above 0 can require prepayment; set priceCents",
      },
    ]);
  }
}

const iso = (date: Date) => date.toISOString();

/** A calendar as the API shows it. */
export function viewCalendar(calendar: Calendar) {
  return {
    id: calendar.id,
    name: calendar.name,
    timezone: calendar.timezone,
    capacity: calendar.capacity,
    weeklyHours: calendar.weeklyHours,
    dateOverrides: calendar.dateOverrides,
    slotIntervalMinutes: calendar.slotIntervalMinutes,
    bufferBeforeMinutes: calendar.bufferBeforeMinutes,
    bufferAfterMinutes: calendar.bufferAfterMinutes,
    minNoticeMinutes: calendar.minNoticeMinutes,
    horizonDays: calendar.horizonDays,
    maxBookingsPerDay: calendar.maxBookingsPerDay,
    createdAt: iso(calendar.createdAt),
    updatedAt: iso(calendar.updatedAt),
  };
}

/** Creates a calendar of the tenant of `em`. */
export async function createCalendar(
  em: EntityManager,
  tenantId: string,
  settings: CalendarSettings,
) {
  const now = new Date();
  const calendar = em.create(Calendar, {
    id: newId(idPrefixes.calendar),
    tenant: tenantId,
    ...settings,
    dateOverrides: settings.dateOverrides as unknown as Record<string, unknown>[],
    createdAt: now,
    updatedAt: now,
  });
  await em.flush();
  return calendar;
}

/** An active calendar of the tenant of `em`, or 404. */
export async function findCalendar(em: EntityManager, id: string): Promise<Calendar> {
  const calendar = await em.findOne(Calendar, { id, isActive: true });
  if (!calendar) throw errors.notFound("calendar", id);
  return calendar;
}

/** Changes a calendar's settings. */
export async function updateCalendar(
  em: EntityManager,
  id: string,
  changes: Partial<CalendarSettings>,
): Promise<Calendar> {
  const calendar = await findCalendar(em, id);
  em.assign(calendar, changes as Partial<Calendar>);
  await em.flush();
  return calendar;
}

/** Retires a calendar; refused while it has confirmed bookings still to come. */
export async function deactivateCalendar(em: EntityManager, id: string): Promise<Calendar> {
  const calendar = await findCalendar(em, id);
  const upcoming = await em.count(Booking, {
    calendarId: id,
    status: "confirmed",
    endMs: { $gt: Date.now() },
  });
  if (upcoming > 0) {
    throw errors.conflict(`calendar ${id} has ${upcoming} upcoming bookings; cancel them first`);
  }
  calendar.isActive = false;
  await em.flush();
  return calendar;
}

/** A service as the API shows it. */
export function viewService(service: Service, calendarIds: string[]) {
  return {
    id: service.id,
    name: service.name,
    description: service.description,
    durationMinutes: service.durationMinutes,
    priceCents: service.priceCents,
    currency: service.currency,
    requiresPrepayment: service.requiresPrepayment,
    calendarIds,
    createdAt: iso(service.createdAt),
    updatedAt: iso(service.updatedAt),
  };
}

/** Creates a service offered on existing calendars of the tenant of `em`. */
export async function createService(
  em: EntityManager,
  tenantId: string,
  settings: ServiceSettings,
) {
  assertPayable({
    requiresPrepayment: settings.requiresPrepayment ?? false,
    priceCents: settings.priceCents,
  });
  for (const calendarId of settings.calendarIds) await findCalendar(em, calendarId);
  const now = new Date();
  const { calendarIds, ...fields } = settings;
  const service = em.create(Service, {
    id: newId(idPrefixes.service),
    tenant: tenantId,
    ...fields,
    isActive: true,
    createdAt: now,
    updatedAt: now,
  });
  for (const calendar of calendarIds) {
    em.create(ServiceCalendar, { tenant: tenantId, service: service.id, calendar });
  }
  await em.flush();
  return service;
}

/** An active service of the tenant of `em` with its calendars, or 404. */
export async function findService(em: EntityManager, id: string) {
  const service = await em.findOne(Service, { id, isActive: true });
  if (!service) throw errors.notFound("service", id);
  const offers = await em.find(ServiceCalendar, { service: id });
  return { service, calendarIds: offers.map((offer) => offer.calendar) };
}

/** Changes a service; a new calendar list replaces the old one. */
export async function updateService(
  em: EntityManager,
  id: string,
  changes: Partial<ServiceSettings>,
) {
  const { service } = await findService(em, id);
  const { calendarIds, ...fields } = changes;
  em.assign(service, fields);
  assertPayable(service);
  if (calendarIds) {
    for (const calendarId of calendarIds) await findCalendar(em, calendarId);
    await em.nativeDelete(ServiceCalendar, { service: id });
    for (const calendar of calendarIds) {
      em.create(ServiceCalendar, { tenant: service.tenant, service: id, calendar });
    }
  }
  await em.flush();
  return findService(em, id);
}

/** Retires a service; its bookings stay. */
export async function deactivateService(em: EntityManager, id: string) {
  const found = await findService(em, id);
  found.service.isActive = false;
  await em.flush();
  return found;
}

/** The service, when it is offered on the calendar; 404 for unknown ids, 422 otherwise. */
export async function findOffer(em: EntityManager, serviceId: string, calendarId: string) {
  const calendar = await findCalendar(em, calendarId);
  const { service, calendarIds } = await findService(em, serviceId);
  if (!calendarIds.includes(calendarId)) {
    throw errors.invalidInput([
      {
        path: "serviceId",
        message: `service ${serviceId} is not offered on calendar ${calendarId}`,
      },
    ]);
  }
  return { calendar, service };
}
