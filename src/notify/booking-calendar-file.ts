import type { EntityManager } from "@mikro-orm/core";
import { Calendar, Service, type Booking } from "../store/entities/index.js";
import { icsDocument, type IcsEvent } from "./icalendar.js";

/** What a booking's file needs to know of its tenant. */
export interface IcsTenant {
  name: string;
  timezone: string;
}

/**
 * One booking as an `.ics` file in its calendar's time zone, for downloads, the agent protocols'
 * artifacts and confirmation emails; `organizer` names who sends it.
 */
export async function bookingCalendarFile(
  em: EntityManager,
  tenant: IcsTenant,
  booking: Booking,
  organizer?: { name: string; email: string },
): Promise<{ fileName: string; mediaType: string; content: string }> {
  const calendar = await em.findOne(Calendar, { id: booking.calendarId });
  const service = await em.findOne(Service, { id: booking.serviceId });
  const event: IcsEvent = {
    uid: `${booking.id}@vbwd`,
    startMs: booking.startMs,
    endMs: booking.endMs,
    updatedMs: booking.updatedAtMs,
    summary: `${service?.name ?? "Appointment"} with ${tenant.name}`,
    status: booking.status === "cancelled" ? "CANCELLED" : "CONFIRMED",
    attendee: { name: booking.customerName, email: booking.customerEmail },
  };
  if (organizer) event.organizer = organizer;
  if (calendar) event.location = calendar.name;
  const content = icsDocument({ timeZone: calendar?.timezone ?? tenant.timezone, events: [event] });
  return {
    fileName: `booking-${booking.id}.ics`,
    mediaType: "text/calendar; charset=utf-8",
    content,
  };
}
