import type { Knex } from "@mikro-orm/knex";
import { localDateOf, type CalendarRules } from "../domain/availability.js";
import type { BookingStatus } from "../domain/booking-states.js";
import { SeatMap, type CellSeat } from "./seat-map.js";

/** A hold as the calendar actor keeps it. */
export interface LiveHold {
  id: string;
  serviceId: string;
  startMs: number;
  endMs: number;
  expiresAtMs: number;
  seats: CellSeat[];
  /** The expiry its TTL gave, kept while the holder's socket is away and the hold is on grace. */
  heldUntilMs?: number;
  /** The customer is paying for it: it lasts through checkout even when their socket goes. */
  inCheckout?: true;
}

/** A booking as the calendar actor keeps it (recent and future ones). */
export interface LiveBooking {
  id: string;
  serviceId: string;
  startMs: number;
  endMs: number;
  status: BookingStatus;
  customerName: string;
  customerEmail: string;
  customerPhone: string | null;
  priceCents: number;
  currency: string;
  holdId: string | null;
  createdAtMs: number;
  updatedAtMs: number;
  seats: CellSeat[];
}

/** A service offered on the calendar, as bookings price and size it. */
export interface OfferedService {
  id: string;
  durationMinutes: number;
  priceCents: number;
  currency: string;
  /** Booked only through a paid checkout, never directly. */
  requiresPrepayment: boolean;
}

/** Everything a calendar actor holds in memory. */
export interface CalendarState {
  services: Map<string, OfferedService>;
  calendarId: string;
  tenantId: string;
  rules: CalendarRules;
  holdTtlSeconds: number;
  /** The tenant's reminder, minutes before each booking's start; null: none. */
  reminderMinutes: number | null;
  version: number;
  seats: SeatMap;
  holds: Map<string, LiveHold>;
  bookings: Map<string, LiveBooking>;
  bookingsPerDay: Map<string, number>;
  /** The local date of an instant; the actor supplies a remembering one. */
  dateOf?: (ms: number) => string;
  /** Told the booking start of every per-day count change (availability memo upkeep). */
  countChanged?: (ms: number) => void;
}

/** How far back the actor keeps past reservations in memory. */
const keepPastMs = 2 * 86_400_000;

/**
 * Loads a calendar's rules, live holds, recent and future bookings and their seats; undefined
 * when there is no such active calendar.
 */
export async function loadCalendarState(
  knex: Knex,
  calendarId: string,
): Promise<CalendarState | undefined> {
  const row = await knex("calendars").where({ id: calendarId, is_active: true }).first();
  if (!row) return undefined;
  const tenant = await knex("tenants")
    .select("hold_ttl_seconds", "reminder_minutes_before")
    .where({ id: row.tenant_id })
    .first();
  const since = Date.now() - keepPastMs;

  const [claims, holds, bookings, services] = await Promise.all([
    knex("slot_claims")
      .select("cell_start_ms", "seat", "owner_id")
      .where({ calendar_id: calendarId })
      .andWhere("cell_start_ms", ">=", since - keepPastMs),
    knex("holds").where({ calendar_id: calendarId, status: "active" }),
    knex("bookings")
      .where({ calendar_id: calendarId, status: "confirmed" })
      .andWhere("end_ms", ">=", since),
    loadServices(knex, calendarId),
  ]);

  const state: CalendarState = {
    services,
    calendarId,
    tenantId: row.tenant_id,
    rules: rulesOf(row),
    holdTtlSeconds: Number(tenant?.hold_ttl_seconds ?? 600),
    reminderMinutes:
      tenant?.reminder_minutes_before == null ? null : Number(tenant.reminder_minutes_before),
    version: Number(row.version),
    seats: new SeatMap(),
    holds: new Map(),
    bookings: new Map(),
    bookingsPerDay: new Map(),
  };
  const seatsByOwner = groupSeats(claims, state.seats);
  for (const hold of holds) state.holds.set(hold.id, holdOf(hold, seatsByOwner));
  for (const booking of bookings) addBooking(state, bookingOf(booking, seatsByOwner));
  return state;
}

/** The active services offered on a calendar. */
export async function loadServices(knex: Knex, calendarId: string) {
  const rows = await knex("services")
    .join("service_calendars", "service_calendars.service_id", "services.id")
    .where({ "service_calendars.calendar_id": calendarId, "services.is_active": true })
    .select("services.id", "duration_minutes", "price_cents", "currency", "requires_prepayment")
    .orderBy("services.id");
  const services = new Map<string, OfferedService>();
  for (const row of rows) {
    services.set(row.id, {
      id: row.id,
      durationMinutes: Number(row.duration_minutes),
      priceCents: Number(row.price_cents),
      currency: String(row.currency),
      requiresPrepayment: Boolean(row.requires_prepayment),
    });
  }
  return services;
}

/** Reads the rules of a calendar row. */
export function rulesOf(row: Record<string, unknown>): CalendarRules {
  return {
    timezone: String(row.timezone),
    weeklyHours: parseJson(row.weekly_hours) as CalendarRules["weeklyHours"],
    dateOverrides: parseJson(row.date_overrides) as CalendarRules["dateOverrides"],
    slotIntervalMinutes: Number(row.slot_interval_minutes),
    bufferBeforeMinutes: Number(row.buffer_before_minutes),
    bufferAfterMinutes: Number(row.buffer_after_minutes),
    minNoticeMinutes: Number(row.min_notice_minutes),
    horizonDays: Number(row.horizon_days),
    capacity: Number(row.capacity),
    maxBookingsPerDay: row.max_bookings_per_day == null ? null : Number(row.max_bookings_per_day),
  };
}

/** Adds a confirmed booking to the per-day counts and the booking map. */
export function addBooking(state: CalendarState, booking: LiveBooking): void {
  state.bookings.set(booking.id, booking);
  if (booking.status === "confirmed") countDay(state, booking.startMs, 1);
}

/** Moves the per-day count of a booking's local date. */
export function countDay(state: CalendarState, startMs: number, delta: number): void {
  const day = state.dateOf ? state.dateOf(startMs) : localDateOf(startMs, state.rules.timezone);
  const next = (state.bookingsPerDay.get(day) ?? 0) + delta;
  if (next > 0) state.bookingsPerDay.set(day, next);
  else state.bookingsPerDay.delete(day);
  state.countChanged?.(startMs);
}

/** A booking row as the actor keeps it. */
export function bookingOf(
  row: Record<string, unknown>,
  seats: Map<string, CellSeat[]>,
): LiveBooking {
  const id = String(row.id);
  return {
    id,
    serviceId: String(row.service_id),
    startMs: Number(row.start_ms),
    endMs: Number(row.end_ms),
    status: row.status as BookingStatus,
    customerName: String(row.customer_name),
    customerEmail: String(row.customer_email),
    customerPhone: row.customer_phone == null ? null : String(row.customer_phone),
    priceCents: Number(row.price_cents),
    currency: String(row.currency),
    holdId: row.hold_id == null ? null : String(row.hold_id),
    createdAtMs: Number(row.created_at_ms),
    updatedAtMs: Number(row.updated_at_ms),
    seats: seats.get(id) ?? [],
  };
}

function holdOf(row: Record<string, unknown>, seats: Map<string, CellSeat[]>): LiveHold {
  const id = String(row.id);
  return {
    id,
    serviceId: String(row.service_id),
    startMs: Number(row.start_ms),
    endMs: Number(row.end_ms),
    expiresAtMs: Number(row.expires_at_ms),
    seats: seats.get(id) ?? [],
  };
}

function groupSeats(
  claims: { cell_start_ms: number | string; seat: number; owner_id: string }[],
  map: SeatMap,
): Map<string, CellSeat[]> {
  const byOwner = new Map<string, CellSeat[]>();
  for (const claim of claims) {
    const seat: CellSeat = [Number(claim.cell_start_ms), Number(claim.seat)];
    const list = byOwner.get(claim.owner_id) ?? [];
    list.push(seat);
    byOwner.set(claim.owner_id, list);
  }
  for (const [owner, seats] of byOwner) map.claim(seats, owner);
  return byOwner;
}

function parseJson(value: unknown): unknown {
  return typeof value === "string" ? JSON.parse(value) : value;
}
