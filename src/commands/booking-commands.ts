import { z } from "zod";
import { bookingStatuses } from "../domain/booking-states.js";
import { errors } from "../domain/app-error.js";
import { findBookingPayment, refundCancelledBooking } from "../billing/booking-payments.js";
import { viewBookingEntity, viewHoldEntity, type BookingView } from "../engine/booking-view.js";
import { Booking, Hold } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { askActor } from "./actor-errors.js";
import {
  availabilityOutput,
  bookingOutput,
  bookingPageOutput,
  holdListOutput,
  holdOutput,
  releasedHoldOutput,
} from "./output-schemas.js";
import { defineCommand, tenantOf, type CommandContext } from "./command.js";
import { idForKey } from "./idempotency.js";
import { seatAndStorageUsage } from "./plan-usage.js";
import { emailSchema, idSchema, pageLimitSchema } from "./schemas.js";

const customers = {
  kind: "tenant",
  credentials: ["publishable", "secret", "agent", "staff"],
} as const;
const operators = { kind: "tenant", credentials: ["secret", "agent", "staff"] } as const;

const instant = z.iso
  .datetime({ offset: true, message: "expected an ISO 8601 time with an offset or Z" })
  .transform((value) => Date.parse(value));
/** A calendar id as inputs take it. */
export const calendarId = z
  .string()
  .regex(/^cal_[a-z0-9]{1,40}$/, "expected a calendar id (cal_…)");
const serviceId = z.string().regex(/^svc_[a-z0-9]{1,40}$/, "expected a service id (svc_…)");
const maxWindowMs = 62 * 86_400_000;

/** A customer as bookings and checkouts take them. */
export const customerSchema = z.object({
  name: z.string().trim().min(1).max(200),
  email: emailSchema,
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()./-]{4,30}$/, "expected a phone number")
    .optional(),
});

/** Asks a calendar actor on behalf of the command's tenant; actor failures become `AppError`s. */
export function askCalendar<T>(context: CommandContext, id: string, message: object): Promise<T> {
  const tenantId = tenantOf(context).id;
  const key = `calendar:${id}`;
  return askActor(
    context.services.actors.ask<T>(key, { ...message, tenantId }, { timeoutMs: 10_000 }),
  );
}

export const availabilityCommand = defineCommand({
  name: "availability.get",
  summary: "List the free slots of a calendar for a service between two times (default 7 days).",
  access: customers,
  output: availabilityOutput,
  input: z
    .object({
      calendarId,
      serviceId: serviceId.optional(),
      from: instant.optional(),
      to: instant.optional(),
    })
    .transform((input) => {
      const fromMs = input.from ?? Date.now();
      return { ...input, fromMs, toMs: input.to ?? fromMs + 7 * 86_400_000 };
    })
    .refine((input) => input.toMs > input.fromMs, {
      message: "to must be after from",
      path: ["to"],
    })
    .refine((input) => input.toMs - input.fromMs <= maxWindowMs, {
      message: "ask for at most 62 days at a time",
      path: ["to"],
    }),
  async run(context, input) {
    const answer = await askCalendar<{
      calendarId: string;
      timezone: string;
      version: number;
      slots: { start: number; end: number; remaining: number }[];
    }>(context, input.calendarId, {
      op: "availability",
      serviceId: input.serviceId,
      fromMs: input.fromMs,
      toMs: input.toMs,
    });
    return {
      ...answer,
      slots: answer.slots.map((slot) => ({
        start: new Date(slot.start).toISOString(),
        end: new Date(slot.end).toISOString(),
        remaining: slot.remaining,
      })),
    };
  },
});

export const createHoldCommand = defineCommand({
  name: "holds.create",
  summary: "Hold a slot for a few minutes while the customer decides; 409 when it is taken.",
  access: customers,
  output: holdOutput,
  input: z.object({ calendarId, serviceId, start: instant }),
  async run(context, input) {
    return askCalendar(context, input.calendarId, {
      op: "hold",
      serviceId: input.serviceId,
      startMs: input.start,
    });
  },
});

export const releaseHoldCommand = defineCommand({
  name: "holds.release",
  summary: "Release a hold at once, so the slot is free for others.",
  access: customers,
  output: releasedHoldOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const hold = await context.em.findOne(Hold, { id: input.id });
    if (!hold) throw errors.notFound("hold", input.id);
    if (hold.status !== "active") throw errors.holdExpired(input.id);
    return askCalendar(context, hold.calendarId, { op: "release", holdId: input.id });
  },
});

export const createBookingCommand = defineCommand({
  name: "bookings.create",
  summary:
    "Book a slot for a customer, directly or through a hold; 409 slot_unavailable when taken.",
  access: customers,
  output: bookingOutput,
  idempotent: true,
  input: z.object({
    calendarId,
    serviceId,
    start: instant,
    holdId: z
      .string()
      .regex(/^hld_[a-z0-9]{1,40}$/, "expected a hold id (hld_…)")
      .optional(),
    customer: customerSchema,
  }),
  async run(context, input) {
    const tenantId = tenantOf(context).id;
    const key = context.idempotencyKey;
    const bookingId = key ? idForKey(idPrefixes.booking, tenantId, key) : newId(idPrefixes.booking);
    return askCalendar(context, input.calendarId, {
      op: "book",
      bookingId,
      serviceId: input.serviceId,
      startMs: input.start,
      holdId: input.holdId,
      customer: input.customer,
      source: context.origin.protocol,
    });
  },
});

async function findBooking(context: CommandContext, id: string): Promise<Booking> {
  const booking = await context.em.findOne(Booking, { id });
  if (!booking) throw errors.notFound("booking", id);
  return booking;
}

export const getBookingCommand = defineCommand({
  name: "bookings.get",
  summary: "Read one booking with its customer.",
  access: operators,
  output: bookingOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const view = viewBookingEntity(await findBooking(context, input.id));
    const payment = await findBookingPayment(context.em, view.id);
    return payment ? { ...view, payment } : view;
  },
});

export const listBookingsCommand = defineCommand({
  name: "bookings.list",
  summary: "List bookings by calendar, time and status, oldest start first, a page at a time.",
  access: operators,
  output: bookingPageOutput,
  input: z.object({
    calendarId: calendarId.optional(),
    from: instant.optional(),
    to: instant.optional(),
    status: z.enum(bookingStatuses).optional(),
    limit: pageLimitSchema,
    cursor: z
      .string()
      .regex(/^\d+:[a-z0-9_]+$/, "use the nextCursor of the previous page")
      .optional(),
  }),
  async run(context, input) {
    const where: Record<string, unknown> = {};
    if (input.calendarId) where.calendarId = input.calendarId;
    if (input.status) where.status = input.status;
    const range: Record<string, number> = {};
    if (input.from !== undefined) range.$gte = input.from;
    if (input.to !== undefined) range.$lt = input.to;
    if (Object.keys(range).length > 0) where.startMs = range;
    if (input.cursor) {
      const [start, id] = input.cursor.split(":") as [string, string];
      where.$or = [
        { startMs: { $gt: Number(start) } },
        { startMs: Number(start), id: { $gt: id } },
      ];
    }
    const rows = await context.em.find(Booking, where, {
      orderBy: [{ startMs: "asc" }, { id: "asc" }],
      limit: input.limit + 1,
    });
    const page = rows.slice(0, input.limit);
    const last = page.at(-1);
    const nextCursor = rows.length > input.limit && last ? `${last.startMs}:${last.id}` : null;
    return { data: page.map(viewBookingEntity), nextCursor };
  },
});

export const listHoldsCommand = defineCommand({
  name: "holds.list",
  summary: "List the holds in progress (not yet booked, released or expired), soonest start first.",
  access: operators,
  output: holdListOutput,
  input: z.object({ calendarId: calendarId.optional(), limit: pageLimitSchema }),
  async run(context, input) {
    const where: Record<string, unknown> = { status: "active", expiresAtMs: { $gt: Date.now() } };
    if (input.calendarId) where.calendarId = input.calendarId;
    const rows = await context.em.find(Hold, where, {
      orderBy: [{ startMs: "asc" }, { id: "asc" }],
      limit: input.limit,
    });
    return { data: rows.map((hold) => viewHoldEntity(hold)) };
  },
});

const changeBooking = (op: "cancel" | "no_show", name: string, summary: string) =>
  defineCommand({
    name,
    summary,
    access: operators,
    output: bookingOutput,
    input: z.object({ id: idSchema }),
    async run(context, input) {
      const booking = await findBooking(context, input.id);
      const view = await askCalendar<BookingView>(context, booking.calendarId, {
        op,
        bookingId: booking.id,
      });
      // Every cancellation (staff, customer, agent) comes through here: refund it once.
      if (op !== "cancel") return view;
      const { services, em } = context;
      const payment = await refundCancelledBooking(services, em, tenantOf(context), view);
      return payment ? { ...view, payment } : view;
    },
  });

export const cancelBookingCommand = changeBooking(
  "cancel",
  "bookings.cancel",
  "Cancel a booking; its slot is free again at once.",
);

export const noShowCommand = changeBooking(
  "no_show",
  "bookings.no_show",
  "Mark a booking whose time has come as a no-show.",
);

export const rescheduleBookingCommand = defineCommand({
  name: "bookings.reschedule",
  summary: "Move a booking to another start; the new slot is taken before the old is freed.",
  access: operators,
  output: bookingOutput,
  input: z.object({ id: idSchema, start: instant }),
  async run(context, input) {
    const booking = await findBooking(context, input.id);
    return askCalendar(context, booking.calendarId, {
      op: "reschedule",
      bookingId: booking.id,
      startMs: input.start,
    });
  },
});

export const usageCommand = defineCommand({
  name: "usage.get",
  summary:
    "This month's bookings, active users and stored bytes against the plan's limits (−1 = unlimited), and text messages sent.",
  access: operators,
  input: z.object({}),
  async run(context) {
    const key = `tenant:${tenantOf(context).id}`;
    const ask = context.services.actors.ask(key, { op: "usage" }, { timeoutMs: 10_000 });
    const bookings = (await askActor(ask)) as { periodStart: string; periodEnd: string };
    const period = {
      fromMs: Date.parse(bookings.periodStart),
      toMs: Date.parse(bookings.periodEnd),
    };
    return { ...bookings, ...(await seatAndStorageUsage(context.em, tenantOf(context), period)) };
  },
});
