import type { BookingView } from "../../engine/booking-view.js";

/** Who organizes a booked appointment, as its calendar file names them. */
export interface IcsOrganizer {
  name: string;
  email: string;
}

/**
 * A booking as a minimal iCalendar file (RFC 5545): one VEVENT with UTC times, a stable UID
 * and the customer as attendee, so mail and calendar clients can import it.
 */
export function bookingToIcs(booking: BookingView, summary: string, organizer: IcsOrganizer) {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//VBWD//Booking Engine//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${booking.id}@vbwd`,
    `DTSTAMP:${icsTime(booking.updatedAt)}`,
    `DTSTART:${icsTime(booking.start)}`,
    `DTEND:${icsTime(booking.end)}`,
    `SUMMARY:${escapeText(summary)}`,
    `STATUS:${booking.status === "cancelled" ? "CANCELLED" : "CONFIRMED"}`,
    `ORGANIZER;CN=${quoteParam(organizer.name)}:mailto:${organizer.email}`,
    `ATTENDEE;CN=${quoteParam(booking.customer.name)};ROLE=REQ-PARTICIPANT:mailto:${booking.customer.email}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.flatMap(foldLine).join("\r\n") + "\r\n";
}

/** `2027-03-04T10:00:00.000Z` → `20270304T100000Z`. */
function icsTime(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

function escapeText(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r?\n/g, "\\n");
}

/** A parameter value in double quotes, which may not contain quotes or control characters. */
function quoteParam(value: string): string {
  return `"${value.replace(/["\x00-\x1f]/g, "")}"`;
}

/** Lines longer than 75 octets are folded with a leading space, as the format requires. */
function foldLine(line: string): string[] {
  const parts: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > 75) {
    let cut = 74;
    while (Buffer.byteLength(rest.slice(0, cut)) > 74) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = " " + rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}
