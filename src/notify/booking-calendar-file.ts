import type { EntityManager } from "@mikro-orm/core";
import { Calendar, Service, type Booking } from "../store/entities/index.js";
import { icsDocument, type IcsEvent } from "./icalendar.js";

/** What a booking's file needs to know of its tenant. */
export interface IcsTenant {
  name: string;
  timezone: string;
}

/** What a booking's file says, from a stored booking or an event's copy of one. */
export interface IcsBooking {
  id: string;
  startMs: number;
  endMs: number;
  updatedMs: number;
  cancelled: boolean;
  customerName: string;
  customerEmail: string;
}

/** The `.ics` text of one booking; the calendar gives its zone and place when known. */
export function bookingIcs(
  booking: IcsBooking,
  context: {
    tenant: IcsTenant;
    serviceName: string | undefined;
    calendar: { name: string; timezone: string } | undefined;
    organizer?: { name: string; email: string } | undefined;
  },
): string {
  const event: IcsEvent = {
    uid: `${booking.id}@vbwd`,
    startMs: booking.startMs,
    endMs: booking.endMs,
    updatedMs: booking.updatedMs,
    summary: `${context.serviceName ?? "Appointment"} with ${context.tenant.name}`,
    status: booking.cancelled ? "CANCELLED" : "CONFIRMED",
    attendee: { name: booking.customerName, email: booking.customerEmail },
  };
  if (context.organizer) event.organizer = context.organizer;
  if (context.calendar) event.location = context.calendar.name;
  const timeZone = context.calendar?.timezone ?? context.tenant.timezone;
  return icsDocument({ timeZone, events: [event] });
}

/**
 * One stored booking as an `.ics` file in its calendar's time zone, for downloads and the
 * agent protocols' artifacts; `organizer` names who sends it.
 */
export async function bookingCalendarFile(
  em: EntityManager,
  tenant: IcsTenant,
  booking: Booking,
  organizer?: { name: string; email: string },
): Promise<{ fileName: string; mediaType: string; content: string }> {
  const calendar = await em.findOne(Calendar, { id: booking.calendarId });
  const service = await em.findOne(Service, { id: booking.serviceId });
  const content = bookingIcs(
    {
      id: booking.id,
      startMs: booking.startMs,
      endMs: booking.endMs,
      updatedMs: booking.updatedAtMs,
      cancelled: booking.status === "cancelled",
      customerName: booking.customerName,
      customerEmail: booking.customerEmail,
    },
    { tenant, serviceName: service?.name, calendar: calendar ?? undefined, organizer },
  );
  return {
    fileName: `booking-${booking.id}.ics`,
    mediaType: "text/calendar; charset=utf-8",
    content,
  };
}
