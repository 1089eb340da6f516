import {
  GraphQLBoolean,
  GraphQLEnumType,
  GraphQLError,
  GraphQLID,
  GraphQLInputObjectType,
  GraphQLInt,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLString,
  Kind,
  type GraphQLOutputType,
  type GraphQLInputType,
} from "graphql";
import { bookingStatuses } from "../../domain/booking-states.js";
import { weekdays } from "../../domain/weekly-hours.js";
import { expectedListSize } from "./query-limits.js";

const required = <T extends GraphQLOutputType | GraphQLInputType>(type: T) =>
  new GraphQLNonNull(type);
const listOf = <T extends GraphQLOutputType>(type: T) => required(new GraphQLList(required(type)));
const field = (type: GraphQLOutputType, description?: string) => ({ type, description });
/** A list field that is short in practice (see the cost rule). */
const shortList = (type: GraphQLOutputType, size: number) => ({
  type,
  extensions: expectedListSize(size),
});

/**
 * An instant as ISO 8601 text with an offset or `Z`. Values pass through as strings: the
 * operation checks them, so a bad time is an `invalid_input` error like in every protocol.
 */
export const DateTimeScalar = new GraphQLScalarType<string, string>({
  name: "DateTime",
  description: "An ISO 8601 time with an offset or Z, such as 2026-05-04T09:00:00Z.",
  serialize: (value) => String(value),
  parseValue: (value) => {
    if (typeof value !== "string") throw new GraphQLError("DateTime must be a string");
    return value;
  },
  parseLiteral: (node) => {
    if (node.kind !== Kind.STRING) throw new GraphQLError("DateTime must be a string");
    return node.value;
  },
});

const dateTime = required(DateTimeScalar);
const id = required(GraphQLID);
const text = required(GraphQLString);
const int = required(GraphQLInt);

/** A booking's state; the values are the REST API's. */
export const BookingStatusEnum = new GraphQLEnumType({
  name: "BookingStatus",
  values: Object.fromEntries(bookingStatuses.map((status) => [status, { value: status }])),
});

const timeRanges = new GraphQLList(required(new GraphQLList(text)));

const WeeklyHoursType = new GraphQLObjectType({
  name: "WeeklyHours",
  description: "Opening hours per weekday as [start, end] pairs of HH:MM; absent days are closed.",
  fields: Object.fromEntries(weekdays.map((day) => [day, shortList(timeRanges, 3)])),
});

const DateOverrideType = new GraphQLObjectType({
  name: "DateOverride",
  description: "Different hours, or a closure, on one date.",
  fields: {
    date: field(text),
    closed: field(GraphQLBoolean),
    hours: shortList(timeRanges, 3),
  },
});

/** A bookable resource (a person, a room) with its hours and rules. */
export const CalendarType = new GraphQLObjectType({
  name: "Calendar",
  fields: {
    id: field(id),
    name: field(text),
    timezone: field(text),
    capacity: field(int),
    weeklyHours: field(required(WeeklyHoursType)),
    dateOverrides: shortList(listOf(DateOverrideType), 10),
    slotIntervalMinutes: field(int),
    bufferBeforeMinutes: field(int),
    bufferAfterMinutes: field(int),
    minNoticeMinutes: field(int),
    horizonDays: field(int),
    maxBookingsPerDay: field(GraphQLInt),
    createdAt: field(dateTime),
    updatedAt: field(dateTime),
  },
});

/** Something customers book: a length and a price, offered on calendars. */
export const ServiceType = new GraphQLObjectType({
  name: "Service",
  fields: {
    id: field(id),
    name: field(text),
    description: field(GraphQLString),
    durationMinutes: field(int),
    priceCents: field(int, "Price in minor units of the currency."),
    currency: field(text),
    calendarIds: shortList(listOf(GraphQLID), 5),
    createdAt: field(dateTime),
    updatedAt: field(dateTime),
  },
});

/** A bookable time with the seats still free. */
export const SlotType = new GraphQLObjectType({
  name: "Slot",
  fields: { start: field(dateTime), end: field(dateTime), remaining: field(int) },
});

/** The free slots of a calendar for a service, stamped with the calendar's version. */
export const AvailabilityType = new GraphQLObjectType({
  name: "Availability",
  fields: {
    calendarId: field(id),
    serviceId: field(GraphQLID),
    timezone: field(text),
    version: field(int, "Moves by one with every change a viewer can see."),
    slots: field(listOf(SlotType)),
  },
});

/** A slot kept for a customer for a few minutes. */
export const HoldType = new GraphQLObjectType({
  name: "Hold",
  fields: {
    id: field(id),
    status: field(text),
    calendarId: field(id),
    serviceId: field(id),
    start: field(dateTime),
    end: field(dateTime),
    expiresAt: field(dateTime),
  },
});

/** What became of a released hold. */
export const HoldReleaseType = new GraphQLObjectType({
  name: "HoldRelease",
  fields: { id: field(id), status: field(text) },
});

const CustomerType = new GraphQLObjectType({
  name: "Customer",
  fields: { name: field(text), email: field(text), phone: field(GraphQLString) },
});

/** A confirmed (or since cancelled) reservation of a slot for a customer. */
export const BookingType = new GraphQLObjectType({
  name: "Booking",
  fields: {
    id: field(id),
    status: field(required(BookingStatusEnum)),
    calendarId: field(id),
    serviceId: field(id),
    start: field(dateTime),
    end: field(dateTime),
    customer: field(required(CustomerType)),
    priceCents: field(int),
    currency: field(text),
    holdId: field(GraphQLID),
    createdAt: field(dateTime),
    updatedAt: field(dateTime),
  },
});

/** One page of bookings and the cursor of the next. */
export const BookingPageType = new GraphQLObjectType({
  name: "BookingPage",
  fields: {
    data: field(listOf(BookingType)),
    nextCursor: field(GraphQLString, "Pass as cursor for the next page; null on the last."),
  },
});

const BookingUsageType = new GraphQLObjectType({
  name: "BookingUsage",
  fields: {
    used: field(int),
    limit: field(int, "The plan's monthly limit; -1 is unlimited."),
    pending: field(int),
  },
});

/** This period's metered use against the plan. */
export const UsageType = new GraphQLObjectType({
  name: "Usage",
  fields: {
    period: field(text),
    periodStart: field(dateTime),
    periodEnd: field(dateTime),
    bookings: field(required(BookingUsageType)),
  },
});

/** A change to the slots of one service on a calendar, pushed to subscribers. */
export const AvailabilityChangeType = new GraphQLObjectType({
  name: "AvailabilityChange",
  fields: {
    calendarId: field(id),
    serviceId: field(GraphQLID),
    version: field(int),
    slots: field(listOf(SlotType), "The slots the change touched; remaining 0 when gone."),
    reset: field(
      required(GraphQLBoolean),
      "The hours or services changed: fetch availability again.",
    ),
  },
});

/** The slot to hold. */
export const HoldInputType = new GraphQLInputObjectType({
  name: "HoldInput",
  fields: { calendarId: { type: id }, serviceId: { type: id }, start: { type: dateTime } },
});

const CustomerInputType = new GraphQLInputObjectType({
  name: "CustomerInput",
  fields: { name: { type: text }, email: { type: text }, phone: { type: GraphQLString } },
});

/** The slot to book and for whom; `holdId` books through a hold placed before. */
export const BookingInputType = new GraphQLInputObjectType({
  name: "BookingInput",
  fields: {
    calendarId: { type: id },
    serviceId: { type: id },
    start: { type: dateTime },
    holdId: { type: GraphQLID },
    customer: { type: required(CustomerInputType) },
  },
});
