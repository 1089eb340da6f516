import { z } from "zod";
import { bookingStatuses } from "../domain/booking-states.js";
import { bookingPaymentStatuses } from "../domain/payments.js";
import { staffRoles } from "../domain/tenancy.js";
import { uploadKinds } from "../domain/uploads.js";

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
  /** The prepayment, for a booking paid in advance (on reads and cancellations). */
  payment: z
    .object({
      status: z.enum(bookingPaymentStatuses),
      amountCents: z.int(),
      currency: z.string(),
      refundedCents: z.int(),
    })
    .optional(),
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

/** A checkout opened for a held slot: where to send the customer to pay. */
export const checkoutOutput = z.object({
  url: z.string(),
  sessionId: z.string(),
  paymentId: z.string(),
  /** The hold now lasts through checkout: until this time. */
  holdExpiresAt: instant,
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
  requiresPrepayment: z.boolean(),
  calendarIds: z.array(z.string()),
  createdAt: instant,
  updatedAt: instant,
});

/** The services of a tenant. */
export const serviceListOutput = z.object({ data: z.array(serviceOutput) });

/** What deleting a calendar or retiring a service answers. */
export const deletedOutput = z.object({ id: z.string(), deleted: z.literal(true) });

/** A count for each protocol analytics reports. */
const protocolCountsOutput = z.object({
  rest: z.int(),
  graphql: z.int(),
  mcp: z.int(),
  agentProtocol: z.int(),
  a2a: z.int(),
  widget: z.int(),
  webhook: z.int(),
});

/** One day's figures of a tenant (or a window's totals). */
const analyticsFiguresOutput = z.object({
  bookings: z.int(),
  cancellations: z.int(),
  noShows: z.int(),
  /** Revenue in minor units per ISO 4217 currency. */
  revenueCents: z.record(z.string(), z.int()),
  /** Bookings made over each protocol. */
  protocols: protocolCountsOutput,
  /** API requests over each protocol. */
  requests: protocolCountsOutput,
});

/** A tenant's analytics: each local day of the window, and the totals. */
export const analyticsOutput = z.object({
  from: z.iso.date(),
  to: z.iso.date(),
  timezone: z.string(),
  days: z.array(analyticsFiguresOutput.extend({ date: z.iso.date() })),
  totals: analyticsFiguresOutput,
});

/** The platform operator's figures. */
export const platformMetricsOutput = z.object({
  mrrCents: z.int(),
  currency: z.string(),
  tenantsByStatus: z.record(z.string(), z.int()),
  tenantsByPlan: z.record(z.string(), z.int()),
  bookingsThisMonth: z.int(),
});

/** A staff user of the tenant; never the password. */
export const userOutput = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  role: z.enum(staffRoles),
  active: z.boolean(),
  lastLoginAt: instant.nullable(),
  createdAt: instant,
});

/** The tenant's staff users. */
export const userListOutput = z.object({ data: z.array(userOutput) });

/** An uploaded file; its bytes are served at `url`. */
export const uploadOutput = z.object({
  id: z.string(),
  kind: z.enum(uploadKinds),
  contentType: z.string(),
  sizeBytes: z.int(),
  sha256: z.string(),
  url: z.string(),
  createdAt: instant,
});
