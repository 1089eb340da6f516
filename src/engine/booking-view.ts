import type { Booking, Hold } from "../store/entities/index.js";
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

/** The fields a booking view is made of, shared by the actor's memory and the entity. */
type BookingFields = Omit<LiveBooking, "seats">;

/** The API form of a booking the calendar actor holds. */
export function viewBooking(state: Pick<CalendarState, "calendarId">, booking: BookingFields) {
  return bookingView(state.calendarId, booking);
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

/** The API form of a hold entity. */
export function viewHoldEntity(hold: Hold): HoldView {
  return viewHold({ calendarId: hold.calendarId }, { ...hold, seats: [] });
}

/** The API form of a booking entity. */
export function viewBookingEntity(booking: Booking): BookingView {
  return bookingView(booking.calendarId, booking);
}

function bookingView(calendarId: string, booking: BookingFields): BookingView {
  return {
    id: booking.id,
    status: booking.status,
    calendarId,
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
