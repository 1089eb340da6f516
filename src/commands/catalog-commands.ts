import { z } from "zod";
import { weekdays } from "../domain/weekly-hours.js";
import {
  createCalendar,
  createService,
  deactivateCalendar,
  deactivateService,
  findCalendar,
  findService,
  updateCalendar,
  updateService,
  viewCalendar,
  viewService,
} from "../engine/catalog.js";
import { Calendar, Service, ServiceCalendar } from "../store/entities/index.js";
import { askActor } from "./actor-errors.js";
import {
  calendarListOutput,
  calendarOutput,
  deletedOutput,
  serviceListOutput,
  serviceOutput,
} from "./output-schemas.js";
import { defineCommand, tenantOf, type CommandContext, tenantManagers } from "./command.js";
import { idSchema, timeZoneSchema } from "./schemas.js";

const readers = { kind: "tenant", credentials: ["secret", "agent", "staff"] } as const;

const clockTime = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, "expected HH:MM between 00:00 and 24:00")
  .refine((time) => Number(time.slice(3)) % 5 === 0, "minutes must be a multiple of 5");

const timeRanges = z
  .array(z.tuple([clockTime, clockTime]))
  .max(12)
  .refine(
    (ranges) => ranges.every(([start, end]) => start < end),
    "each range must start before it ends",
  )
  .refine(
    (ranges) => ranges.every((range, i) => i === 0 || ranges[i - 1]![1] <= range[0]),
    "ranges must be in order and must not overlap",
  );

const weeklyHoursSchema = z.partialRecord(z.enum(weekdays), timeRanges);

const dateOverrideSchema = z.object({
  date: z.iso.date(),
  closed: z.boolean().optional(),
  hours: timeRanges.optional(),
});

const fiveMinutes = (max: number) =>
  z
    .number()
    .int()
    .min(0)
    .max(max)
    .refine((n) => n % 5 === 0, "must be a multiple of 5");

const calendarFields = {
  name: z.string().trim().min(1).max(200),
  timezone: timeZoneSchema,
  capacity: z.number().int().min(1).max(1000),
  weeklyHours: weeklyHoursSchema,
  dateOverrides: z.array(dateOverrideSchema).max(500),
  slotIntervalMinutes: fiveMinutes(1440).refine((n) => n > 0, "must be at least 5"),
  bufferBeforeMinutes: fiveMinutes(720),
  bufferAfterMinutes: fiveMinutes(720),
  minNoticeMinutes: z.number().int().min(0).max(525_600),
  horizonDays: z.number().int().min(1).max(730),
  maxBookingsPerDay: z.number().int().min(1).max(10_000).nullable(),
};

/** Tells a calendar's actor to pick up changed settings, so viewers refetch at once. */
async function reloadCalendarActor(context: CommandContext, calendarId: string): Promise<void> {
  const tenantId = tenantOf(context).id;
  await askActor(context.services.actors.ask(`calendar:${calendarId}`, { op: "reload", tenantId }));
}

export const createCalendarCommand = defineCommand({
  name: "calendars.create",
  summary: "Create a calendar with its time zone, weekly hours and booking rules.",
  access: tenantManagers,
  output: calendarOutput,
  idempotent: true,
  input: z.object({
    ...calendarFields,
    capacity: calendarFields.capacity.default(1),
    dateOverrides: calendarFields.dateOverrides.default([]),
    slotIntervalMinutes: calendarFields.slotIntervalMinutes.default(15),
    bufferBeforeMinutes: calendarFields.bufferBeforeMinutes.default(0),
    bufferAfterMinutes: calendarFields.bufferAfterMinutes.default(0),
    minNoticeMinutes: calendarFields.minNoticeMinutes.default(0),
    horizonDays: calendarFields.horizonDays.default(60),
    maxBookingsPerDay: calendarFields.maxBookingsPerDay.default(null),
  }),
  async run(context, input) {
    return viewCalendar(await createCalendar(context.em, tenantOf(context).id, input));
  },
});

export const getCalendarCommand = defineCommand({
  name: "calendars.get",
  summary: "Read one calendar.",
  access: readers,
  output: calendarOutput,
  input: z.object({ id: idSchema }),
  async run({ em }, input) {
    return viewCalendar(await findCalendar(em, input.id));
  },
});

export const listCalendarsCommand = defineCommand({
  name: "calendars.list",
  summary: "List the tenant's calendars.",
  access: readers,
  output: calendarListOutput,
  input: z.object({}),
  async run({ em }) {
    const calendars = await em.find(Calendar, { isActive: true }, { orderBy: { id: "asc" } });
    return { data: calendars.map(viewCalendar) };
  },
});

export const updateCalendarCommand = defineCommand({
  name: "calendars.update",
  summary: "Change a calendar's settings; open widgets see the new availability at once.",
  access: tenantManagers,
  output: calendarOutput,
  input: z
    .object({ id: idSchema, ...calendarFields })
    .partial()
    .required({ id: true }),
  async run(context, input) {
    const { id, ...changes } = input;
    const calendar = await updateCalendar(context.em, id, changes);
    await reloadCalendarActor(context, id);
    return viewCalendar(calendar);
  },
});

export const deleteCalendarCommand = defineCommand({
  name: "calendars.delete",
  summary: "Retire a calendar that has no upcoming bookings.",
  access: tenantManagers,
  output: deletedOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const calendar = await deactivateCalendar(context.em, input.id);
    return { id: calendar.id, deleted: true };
  },
});

const serviceFields = {
  name: z.string().trim().min(1).max(200),
  description: z.string().max(2000).nullable(),
  durationMinutes: z
    .number()
    .int()
    .min(5)
    .max(1440)
    .refine((n) => n % 5 === 0, "must be a multiple of 5"),
  priceCents: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 code such as EUR"),
  calendarIds: z.array(idSchema).min(1).max(100),
  requiresPrepayment: z.boolean(),
};

export const createServiceCommand = defineCommand({
  name: "services.create",
  summary: "Create a service (duration and price) offered on one or more calendars.",
  access: tenantManagers,
  output: serviceOutput,
  idempotent: true,
  input: z.object({
    ...serviceFields,
    description: serviceFields.description.default(null),
    priceCents: serviceFields.priceCents.default(0),
    currency: serviceFields.currency.default("EUR"),
    requiresPrepayment: serviceFields.requiresPrepayment.default(false),
  }),
  async run(context, input) {
    const service = await createService(context.em, tenantOf(context).id, input);
    for (const calendarId of input.calendarIds) await reloadCalendarActor(context, calendarId);
    return viewService(service, input.calendarIds);
  },
});

export const getServiceCommand = defineCommand({
  name: "services.get",
  summary: "Read one service.",
  access: readers,
  output: serviceOutput,
  input: z.object({ id: idSchema }),
  async run({ em }, input) {
    const { service, calendarIds } = await findService(em, input.id);
    return viewService(service, calendarIds);
  },
});

export const listServicesCommand = defineCommand({
  name: "services.list",
  summary: "List the tenant's services.",
  access: readers,
  output: serviceListOutput,
  input: z.object({}),
  async run({ em }) {
    const services = await em.find(Service, { isActive: true }, { orderBy: { id: "asc" } });
    const offers = await em.find(ServiceCalendar, { service: { $in: services.map((s) => s.id) } });
    const calendarsOf = (id: string) =>
      offers.filter((o) => o.service === id).map((o) => o.calendar);
    return { data: services.map((service) => viewService(service, calendarsOf(service.id))) };
  },
});

export const updateServiceCommand = defineCommand({
  name: "services.update",
  summary: "Change a service; calendars that offer it pick the change up at once.",
  access: tenantManagers,
  output: serviceOutput,
  input: z
    .object({ id: idSchema, ...serviceFields })
    .partial()
    .required({ id: true }),
  async run(context, input) {
    const { id, ...changes } = input;
    const before = await findService(context.em, id);
    const after = await updateService(context.em, id, changes);
    const touched = new Set([...before.calendarIds, ...after.calendarIds]);
    for (const calendarId of touched) await reloadCalendarActor(context, calendarId);
    return viewService(after.service, after.calendarIds);
  },
});

export const deleteServiceCommand = defineCommand({
  name: "services.delete",
  summary: "Retire a service; existing bookings stay.",
  access: tenantManagers,
  output: deletedOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const { service, calendarIds } = await deactivateService(context.em, input.id);
    for (const calendarId of calendarIds) await reloadCalendarActor(context, calendarId);
    return { id: service.id, deleted: true };
  },
});
