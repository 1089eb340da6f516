import { z } from "zod";
import { bookingStatuses } from "../domain/booking-states.js";

// The shapes commands answer with, for generated documents (OpenAPI) and response checks.
// They describe what the views in engine/ produce; a field added there belongs here too.

const instant = z.iso.datetime({ offset: true });
const timeRange = z.tuple([z.string(), z.string()]);

/** A booking as every booking answer shows it. */
export const bookingOutput = z.object({
  id: z.string(),
  status: z.enum(bookingStatuses),
  calendarId: z.string(),
  serviceId: z.string(),
  start: instant,
  end: instant,
  customer: z.object({ name: z.string(), email: z.string(), phone: z.string().nullable() }),
  priceCents: z.int(),
  currency: z.string(),
  holdId: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
});

/**
 * A booking as its customer manages it: with a manage token (the bearer may see, cancel and
 * move this one booking) and what the tenant lets the customer change now.
 */
export const managedBookingOutput = bookingOutput.extend({
  manageToken: z.string(),
  selfService: z.object({
    canCancel: z.boolean(),
    canReschedule: z.boolean(),
    /** Changes close at this time (the start less the tenant's cut-off). */
    changeableUntil: instant,
  }),
});

/** A tenant's branding; null fields take the widget's defaults. */
export const brandingOutput = z.object({
  primaryColor: z.string().nullable(),
  secondaryColor: z.string().nullable(),
  logoUrl: z.string().nullable(),
  fontFamily: z.string().nullable(),
  cornerRadius: z.int().nullable(),
  locale: z.string(),
});

/** A page of bookings. */
export const bookingPageOutput = z.object({
  data: z.array(bookingOutput),
  nextCursor: z.string().nullable(),
});

/** A hold in progress. */
export const holdOutput = z.object({
  id: z.string(),
  status: z.literal("active"),
  calendarId: z.string(),
  serviceId: z.string(),
  start: instant,
  end: instant,
  expiresAt: instant,
});

/** The holds in progress. */
export const holdListOutput = z.object({ data: z.array(holdOutput) });

/** A hold that has just been released. */
export const releasedHoldOutput = z.object({ id: z.string(), status: z.literal("released") });

/** The free slots of a calendar. */
export const availabilityOutput = z.object({
  calendarId: z.string(),
  serviceId: z.string().optional(),
  timezone: z.string(),
  version: z.int(),
  slots: z.array(z.object({ start: instant, end: instant, remaining: z.int() })),
});

/** A calendar with its rules. */
export const calendarOutput = z.object({
  id: z.string(),
  name: z.string(),
  timezone: z.string(),
  capacity: z.int(),
  weeklyHours: z.record(z.string(), z.array(timeRange)),
  dateOverrides: z.array(
    z.object({
      date: z.string(),
      closed: z.boolean().optional(),
      hours: z.array(timeRange).optional(),
    }),
  ),
  slotIntervalMinutes: z.int(),
  bufferBeforeMinutes: z.int(),
  bufferAfterMinutes: z.int(),
  minNoticeMinutes: z.int(),
  horizonDays: z.int(),
  maxBookingsPerDay: z.int().nullable(),
  createdAt: instant,
  updatedAt: instant,
});

/** The calendars of a tenant. */
export const calendarListOutput = z.object({ data: z.array(calendarOutput) });

/** A service and the calendars offering it. */
export const serviceOutput = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  durationMinutes: z.int(),
  priceCents: z.int(),
  currency: z.string(),
  calendarIds: z.array(z.string()),
  createdAt: instant,
  updatedAt: instant,
});

/** The services of a tenant. */
export const serviceListOutput = z.object({ data: z.array(serviceOutput) });

/** What deleting a calendar or retiring a service answers. */
export const deletedOutput = z.object({ id: z.string(), deleted: z.literal(true) });
