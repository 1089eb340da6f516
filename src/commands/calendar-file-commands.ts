import { timingSafeEqual, randomBytes } from "node:crypto";
import { z } from "zod";
import { errors } from "../domain/app-error.js";
import { bookingCalendarFile, type IcsTenant } from "../notify/booking-calendar-file.js";
import { icsDocument, type IcsEvent } from "../notify/icalendar.js";
import {
  Booking,
  Calendar,
  CalendarFeed,
  Service,
  Tenant,
  type Calendar as CalendarEntity,
} from "../store/entities/index.js";
import { hashApiKey } from "../tenants/api-keys.js";
import { assertTenantServing } from "../tenants/tenant-status.js";
import { calendarId } from "./booking-commands.js";
import { defineCommand, publicBaseOf, tenantOf, type CommandContext } from "./command.js";
import { FileOutput } from "./file-output.js";
import { idSchema } from "./schemas.js";
import { openBooking } from "./self-service-commands.js";
import type { EntityManager } from "@mikro-orm/core";

// Bookings as iCalendar files: one booking's `.ics` for staff and for its customer (with the
// manage token), and each calendar's private feed that staff subscribe to in their own
// calendar app. Feed URLs carry a secret token; only its HMAC is stored.

const operators = { kind: "tenant", credentials: ["secret", "agent", "staff"] } as const;
const feedManagers = { kind: "tenant", credentials: ["secret", "staff"] } as const;
const widgetCallers = {
  kind: "tenant",
  credentials: ["publishable", "secret", "staff"],
} as const;

/** How far back a feed reaches; later bookings are all in it, up to the horizon. */
const feedPastDays = 30;
/** A feed holds at most this many bookings (the earliest after its start are kept). */
const feedMaxEvents = 5000;
const dayMs = 86_400_000;

export const bookingCalendarFileCommand = defineCommand({
  name: "bookings.calendar_file",
  summary: "One booking as an iCalendar (.ics) file, in its calendar's time zone.",
  access: operators,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const booking = await context.em.findOne(Booking, { id: input.id });
    if (!booking) throw errors.notFound("booking", input.id);
    return bookingFile(context.em, tenantOf(context), booking);
  },
});

export const widgetBookingCalendarFileCommand = defineCommand({
  name: "widget.bookings.calendar_file",
  summary: "The booking a manage token opens, as an iCalendar (.ics) file for its customer.",
  access: widgetCallers,
  input: z.object({ id: idSchema, token: z.string().min(1).max(2000) }),
  async run(context, input) {
    const booking = await openBooking(context, input.id, input.token);
    return bookingFile(context.em, tenantOf(context), booking);
  },
});

/** A feed's settings as the API shows them; the URL only right after it was made. */
const feedOutput = z.object({
  calendarId: z.string(),
  enabled: z.boolean(),
  createdAt: z.string().nullable(),
  url: z.string().optional(),
});

export const getCalendarFeedCommand = defineCommand({
  name: "calendars.feed.get",
  summary: "Whether the calendar's private iCalendar feed is on (its URL is shown only once).",
  access: feedManagers,
  output: feedOutput,
  input: z.object({ id: calendarId }),
  async run(context, input) {
    await findCalendar(context, input.id);
    const feed = await context.em.findOne(CalendarFeed, { calendarId: input.id });
    return {
      calendarId: input.id,
      enabled: feed !== null,
      createdAt: feed ? feed.createdAt.toISOString() : null,
    };
  },
});

export const rotateCalendarFeedCommand = defineCommand({
  name: "calendars.feed.rotate",
  summary:
    "Turn on the calendar's private iCalendar feed, or replace its URL: the previous URL stops working.",
  access: feedManagers,
  output: feedOutput.extend({ url: z.string() }),
  async run(context, input) {
    await findCalendar(context, input.id);
    const token = randomBytes(24).toString("base64url");
    const tokenHash = hashApiKey(context.services.secrets.keyPepper, token);
    const tenant = tenantOf(context);
    const existing = await context.em.findOne(CalendarFeed, { calendarId: input.id });
    const feed =
      existing ??
      context.em.create(CalendarFeed, {
        calendarId: input.id,
        tenant: tenant.id,
        tokenHash,
      });
    feed.tokenHash = tokenHash;
    feed.createdAt = new Date();
    await context.em.flush();
    return {
      calendarId: input.id,
      enabled: true,
      createdAt: feed.createdAt.toISOString(),
      url: `${publicBaseOf(context)}/feeds/calendars/${input.id}/${token}.ics`,
    };
  },
  input: z.object({ id: calendarId }),
});

export const revokeCalendarFeedCommand = defineCommand({
  name: "calendars.feed.revoke",
  summary: "Turn off the calendar's private iCalendar feed; its URL stops working.",
  access: feedManagers,
  output: feedOutput,
  input: z.object({ id: calendarId }),
  async run(context, input) {
    await findCalendar(context, input.id);
    await context.em.nativeDelete(CalendarFeed, { calendarId: input.id });
    return { calendarId: input.id, enabled: false, createdAt: null };
  },
});

export const calendarFeedCommand = defineCommand({
  name: "feeds.calendar",
  summary:
    "A calendar's bookings as an iCalendar feed, for the URL its staff subscribe to (the token is the credential).",
  access: { kind: "public" },
  input: z.object({
    calendarId,
    file: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16,64}\.ics$/, "expected the feed's <token>.ics file name"),
  }),
  async run(context, input) {
    const token = input.file.slice(0, -".ics".length);
    const lookup = context.services.db.fork();
    const feed = await lookup.findOne(
      CalendarFeed,
      { calendarId: input.calendarId },
      { filters: false },
    );
    const presented = Buffer.from(hashApiKey(context.services.secrets.keyPepper, token));
    if (!feed || !timingSafeEqual(presented, Buffer.from(feed.tokenHash))) {
      // The same answer whether the calendar, its feed or the token is wrong.
      throw errors.notFound("calendar feed", input.calendarId);
    }
    const tenant = await lookup.findOneOrFail(Tenant, { id: feed.tenant }, { populate: [] });
    assertTenantServing(tenant);
    const em = context.services.db.forkForTenant(tenant.id);
    const calendar = await em.findOne(Calendar, { id: input.calendarId });
    if (!calendar) throw errors.notFound("calendar feed", input.calendarId);
    return feedFile(em, tenant, calendar);
  },
});

async function findCalendar(context: CommandContext, id: string): Promise<CalendarEntity> {
  const calendar = await context.em.findOne(Calendar, { id });
  if (!calendar) throw errors.notFound("calendar", id);
  return calendar;
}

/** One booking as a downloadable `.ics` file. */
async function bookingFile(em: EntityManager, tenant: IcsTenant, booking: Booking) {
  const file = await bookingCalendarFile(em, tenant, booking);
  return new FileOutput(file.fileName, file.mediaType, file.content);
}

async function feedFile(em: EntityManager, tenant: Tenant, calendar: CalendarEntity) {
  const fromMs = Date.now() - feedPastDays * dayMs;
  const bookings = await em.find(
    Booking,
    { calendarId: calendar.id, startMs: { $gte: fromMs }, status: { $ne: "cancelled" } },
    { orderBy: { startMs: "asc" }, limit: feedMaxEvents },
  );
  const serviceIds = [...new Set(bookings.map((booking) => booking.serviceId))];
  const services = serviceIds.length
    ? await em.find(Service, { id: { $in: serviceIds } }, { fields: ["id", "name"] })
    : [];
  const serviceNames = new Map(services.map((service) => [service.id, service.name]));
  const events = bookings.map((booking): IcsEvent => ({
    uid: `${booking.id}@vbwd`,
    startMs: booking.startMs,
    endMs: booking.endMs,
    updatedMs: booking.updatedAtMs,
    summary: `${serviceNames.get(booking.serviceId) ?? "Booking"}: ${booking.customerName}`,
    description: [
      `Customer: ${booking.customerName} <${booking.customerEmail}>`,
      booking.customerPhone ? `Phone: ${booking.customerPhone}` : "",
      booking.status === "no_show" ? "Marked as no-show" : "",
      `Booking: ${booking.id}`,
    ]
      .filter(Boolean)
      .join("\n"),
    location: calendar.name,
    status: "CONFIRMED",
  }));
  const text = icsDocument({
    timeZone: calendar.timezone,
    events,
    name: `${calendar.name} (${tenant.name})`,
    refreshMinutes: 15,
  });
  return new FileOutput(
    `${calendar.id}.ics`,
    "text/calendar; charset=utf-8",
    text,
    "private, max-age=300",
  );
}
