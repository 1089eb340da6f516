import type { CalendarState, LiveBooking, LiveHold } from "./calendar-state.js";

/** A booking as the API shows it. */
export interface BookingView {
  id: string;
  status: string;
  calendarId: string;
  serviceId: string;
  start: string;
  end: string;
  customer: { name: string; email: string; phone: string | null };
  priceCents: number;
  currency: string;
  holdId: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A hold as the API shows it. */
export interface HoldView {
  id: string;
  status: "active";
  calendarId: string;
  serviceId: string;
  start: string;
  end: string;
  expiresAt: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The API form of a booking the calendar actor holds. */
export function viewBooking(
  state: Pick<CalendarState, "calendarId">,
  booking: LiveBooking,
): BookingView {
  return {
    id: booking.id,
    status: booking.status,
    calendarId: state.calendarId,
    serviceId: booking.serviceId,
    start: iso(booking.startMs),
    end: iso(booking.endMs),
    customer: {
      name: booking.customerName,
      email: booking.customerEmail,
      phone: booking.customerPhone,
    },
    priceCents: booking.priceCents,
    currency: booking.currency,
    holdId: booking.holdId,
    createdAt: iso(booking.createdAtMs),
    updatedAt: iso(booking.updatedAtMs),
  };
}

/** The API form of a hold. */
export function viewHold(state: Pick<CalendarState, "calendarId">, hold: LiveHold): HoldView {
  return {
    id: hold.id,
    status: "active",
    calendarId: state.calendarId,
    serviceId: hold.serviceId,
    start: iso(hold.startMs),
    end: iso(hold.endMs),
    expiresAt: iso(hold.expiresAtMs),
  };
}

/** The API form of a booking row read from the database. */
export function viewBookingRow(row: Record<string, unknown>): BookingView {
  return {
    id: String(row.id),
    status: String(row.status),
    calendarId: String(row.calendar_id),
    serviceId: String(row.service_id),
    start: iso(Number(row.start_ms)),
    end: iso(Number(row.end_ms)),
    customer: {
      name: String(row.customer_name),
      email: String(row.customer_email),
      phone: row.customer_phone == null ? null : String(row.customer_phone),
    },
    priceCents: Number(row.price_cents),
    currency: String(row.currency),
    holdId: row.hold_id == null ? null : String(row.hold_id),
    createdAt: iso(Number(row.created_at_ms)),
    updatedAt: iso(Number(row.updated_at_ms)),
  };
}
