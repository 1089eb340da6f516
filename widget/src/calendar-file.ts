/** What goes into an iCalendar event. */
export interface CalendarEntry {
  uid: string;
  start: string;
  end: string;
  summary: string;
  description?: string;
}

/** An instant in iCalendar's UTC form: `20261205T100000Z`. */
function icsInstant(iso: string): string {
  return new Date(iso)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "");
}

/** Escapes text values as RFC 5545 asks (backslash, semicolon, comma, newline). */
function icsText(text: string): string {
  return text.replace(/[\\;,]/g, (c) => `\\${c}`).replace(/\r?\n/g, "\\n");
}

/** Folds a content line at 75 characters, continuing with a space. */
function fold(line: string): string {
  const pieces: string[] = [];
  for (let at = 0; at < line.length; at += pieces.length === 0 ? 75 : 74) {
    pieces.push(line.slice(at, at + (pieces.length === 0 ? 75 : 74)));
  }
  return pieces.join("\r\n ");
}

/** The text of an `.ics` file holding one event. */
export function calendarFile(entry: CalendarEntry, now = new Date()): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//VBWD//Booking widget//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${entry.uid}`,
    `DTSTAMP:${icsInstant(now.toISOString())}`,
    `DTSTART:${icsInstant(entry.start)}`,
    `DTEND:${icsInstant(entry.end)}`,
    `SUMMARY:${icsText(entry.summary)}`,
    ...(entry.description ? [`DESCRIPTION:${icsText(entry.description)}`] : []),
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(fold).join("\r\n") + "\r\n";
}
