import { DateTime } from "luxon";

/** One appointment as an iCalendar event. Instants are epoch milliseconds. */
export interface IcsEvent {
  /** Globally unique and stable across exports, so clients update instead of duplicating. */
  uid: string;
  startMs: number;
  endMs: number;
  /** When the event last changed: DTSTAMP and LAST-MODIFIED. */
  updatedMs: number;
  summary: string;
  description?: string;
  location?: string;
  status: "CONFIRMED" | "CANCELLED";
  organizer?: { name: string; email: string };
  attendee?: { name: string; email: string };
}

/** A calendar document: one booking's file or a whole feed. */
export interface IcsDocument {
  /** IANA zone the events' local times are written in (with its VTIMEZONE). */
  timeZone: string;
  events: readonly IcsEvent[];
  /** Shown by clients that subscribe to a feed (X-WR-CALNAME). */
  name?: string;
  /** How often subscribers should refetch, in minutes (feeds only). */
  refreshMinutes?: number;
}

/**
 * An RFC 5545 calendar: VTIMEZONE for the zone, events with TZID-qualified local times, CRLF
 * line ends and lines folded at 75 octets. The zone's offsets come from the platform's time-zone
 * data through luxon: every transition in the years the events span, so clients that do not
 * know the zone (or know an older rule) still place each event at the right instant.
 */
export function icsDocument(document: IcsDocument): string {
  const zone = document.timeZone;
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//VBWD//Booking Engine//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
  ];
  if (document.name !== undefined) lines.push(`X-WR-CALNAME:${escapeText(document.name)}`);
  if (document.refreshMinutes !== undefined) {
    lines.push(`REFRESH-INTERVAL;VALUE=DURATION:PT${document.refreshMinutes}M`);
    lines.push(`X-PUBLISHED-TTL:PT${document.refreshMinutes}M`);
  }
  lines.push(`X-WR-TIMEZONE:${zone}`);
  if (!isUtc(zone)) lines.push(...timeZoneLines(zone, yearsOf(document.events)));
  for (const event of document.events) lines.push(...eventLines(event, zone));
  lines.push("END:VCALENDAR");
  return lines.flatMap(foldLine).join("\r\n") + "\r\n";
}

function eventLines(event: IcsEvent, zone: string): string[] {
  const lines = [
    "BEGIN:VEVENT",
    `UID:${escapeText(event.uid)}`,
    `DTSTAMP:${utcStamp(event.updatedMs)}`,
    `LAST-MODIFIED:${utcStamp(event.updatedMs)}`,
    dateTimeLine("DTSTART", event.startMs, zone),
    dateTimeLine("DTEND", event.endMs, zone),
    // Clients take a newer copy of the same UID only when its sequence is higher: seconds since
    // late 2023 grow with every change without a stored revision counter.
    `SEQUENCE:${Math.max(0, Math.floor(event.updatedMs / 1000) - 1_700_000_000)}`,
    `SUMMARY:${escapeText(event.summary)}`,
    `STATUS:${event.status}`,
    "TRANSP:OPAQUE",
  ];
  if (event.description) lines.push(`DESCRIPTION:${escapeText(event.description)}`);
  if (event.location) lines.push(`LOCATION:${escapeText(event.location)}`);
  if (event.organizer) {
    lines.push(`ORGANIZER;CN=${quoteParam(event.organizer.name)}:mailto:${event.organizer.email}`);
  }
  if (event.attendee) {
    lines.push(
      `ATTENDEE;CN=${quoteParam(event.attendee.name)};ROLE=REQ-PARTICIPANT:mailto:${event.attendee.email}`,
    );
  }
  lines.push("END:VEVENT");
  return lines;
}

/** UTC times are written as such (`…Z`); every other zone's as TZID-qualified local times. */
function dateTimeLine(name: string, ms: number, zone: string): string {
  return isUtc(zone) ? `${name}:${utcStamp(ms)}` : `${name};TZID=${zone}:${localStamp(ms, zone)}`;
}

function isUtc(zone: string): boolean {
  return zone === "UTC" || zone === "Etc/UTC";
}

/** The calendar years the events touch, widened by one on each side. */
function yearsOf(events: readonly IcsEvent[]): { from: number; to: number } {
  if (events.length === 0) {
    const year = new Date().getUTCFullYear();
    return { from: year - 1, to: year + 1 };
  }
  let first = Infinity;
  let last = -Infinity;
  for (const event of events) {
    first = Math.min(first, event.startMs);
    last = Math.max(last, event.endMs);
  }
  return { from: new Date(first).getUTCFullYear() - 1, to: new Date(last).getUTCFullYear() + 1 };
}

/** A change of the zone's UTC offset (minutes east of UTC) at an instant. */
interface Transition {
  atMs: number;
  fromMinutes: number;
  toMinutes: number;
}

/** VTIMEZONEs already made, by zone and years: finding transitions takes a few milliseconds. */
const timeZoneCache = new Map<string, string[]>();

/** VTIMEZONE with one observance per transition in the years (RFC 5545 §3.6.5). */
function timeZoneLines(zone: string, years: { from: number; to: number }): string[] {
  const key = `${zone}/${years.from}/${years.to}`;
  let lines = timeZoneCache.get(key);
  if (!lines) {
    lines = buildTimeZoneLines(zone, years);
    // Zones are a few hundred at most, and a span rarely changes: the cache stays small.
    if (timeZoneCache.size > 2_000) timeZoneCache.clear();
    timeZoneCache.set(key, lines);
  }
  return lines;
}

function buildTimeZoneLines(zone: string, years: { from: number; to: number }): string[] {
  const startMs = Date.UTC(years.from, 0, 1);
  const endMs = Date.UTC(years.to + 1, 0, 1);
  const transitions = transitionsBetween(zone, startMs, endMs);
  const lines = ["BEGIN:VTIMEZONE", `TZID:${zone}`];
  if (transitions.length === 0) {
    // A zone without changes in these years: one standard observance from before them.
    const offset = offsetAt(zone, startMs);
    lines.push(
      "BEGIN:STANDARD",
      `DTSTART:${wallStamp(startMs, offset)}`,
      `TZOFFSETFROM:${offsetText(offset)}`,
      `TZOFFSETTO:${offsetText(offset)}`,
      `TZNAME:${zoneAbbreviation(zone, startMs)}`,
      "END:STANDARD",
    );
  }
  for (const transition of transitions) {
    // Daylight time is the larger of a year's offsets; the transition to it is DAYLIGHT.
    const kind = transition.toMinutes > transition.fromMinutes ? "DAYLIGHT" : "STANDARD";
    lines.push(
      `BEGIN:${kind}`,
      // DTSTART is the wall-clock time just before the change, in the offset it changes from.
      `DTSTART:${wallStamp(transition.atMs, transition.fromMinutes)}`,
      `TZOFFSETFROM:${offsetText(transition.fromMinutes)}`,
      `TZOFFSETTO:${offsetText(transition.toMinutes)}`,
      `TZNAME:${zoneAbbreviation(zone, transition.atMs)}`,
      `END:${kind}`,
    );
  }
  lines.push("END:VTIMEZONE");
  return lines;
}

const dayMs = 24 * 60 * 60 * 1000;
const minuteMs = 60 * 1000;

/**
 * Every offset change in [startMs, endMs): found day by day (no zone changes its offset twice
 * within a day), then pinned to the minute by bisection.
 */
function transitionsBetween(zone: string, startMs: number, endMs: number): Transition[] {
  const transitions: Transition[] = [];
  let previous = offsetAt(zone, startMs);
  for (let dayStart = startMs; dayStart < endMs; dayStart += dayMs) {
    const next = offsetAt(zone, dayStart + dayMs);
    if (next === previous) continue;
    let low = dayStart;
    let high = dayStart + dayMs;
    while (high - low > minuteMs) {
      const middle = low + Math.floor((high - low) / 2 / minuteMs) * minuteMs;
      if (offsetAt(zone, middle) === previous) low = middle;
      else high = middle;
    }
    transitions.push({ atMs: high, fromMinutes: previous, toMinutes: next });
    previous = next;
  }
  return transitions;
}

function offsetAt(zone: string, ms: number): number {
  return DateTime.fromMillis(ms, { zone }).offset;
}

function zoneAbbreviation(zone: string, ms: number): string {
  const name = DateTime.fromMillis(ms, { zone }).offsetNameShort ?? "";
  // Names such as "GMT+5:30" are not abbreviations; fall back to the numeric offset.
  return /^[A-Za-z]{2,6}$/.test(name) ? name : offsetText(offsetAt(zone, ms));
}

/** `+0530` / `-0400` from minutes east of UTC. */
function offsetText(minutes: number): string {
  const sign = minutes < 0 ? "-" : "+";
  const absolute = Math.abs(minutes);
  const hours = String(Math.floor(absolute / 60)).padStart(2, "0");
  return `${sign}${hours}${String(absolute % 60).padStart(2, "0")}`;
}

/** `20270304T100000Z`. */
function utcStamp(ms: number): string {
  return wallStamp(ms, 0) + "Z";
}

/** The instant's wall-clock time in the zone, floating form: `20270304T110000`. */
function localStamp(ms: number, zone: string): string {
  return wallStamp(ms, offsetAt(zone, ms));
}

/** The instant's wall-clock time at a fixed offset, floating form. */
function wallStamp(ms: number, offsetMinutes: number): string {
  return new Date(ms + offsetMinutes * minuteMs)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}Z$/, "");
}

/** TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). */
function escapeText(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n")
    .replace(/[\x00-\x08\x0b-\x1f\x7f]/g, "");
}

/** A parameter value in double quotes, which may hold neither quotes nor control characters. */
function quoteParam(value: string): string {
  return `"${value.replace(/["\x00-\x1f\x7f]/g, "")}"`;
}

/** Lines longer than 75 octets continue on the next with a leading space, never inside a character. */
function foldLine(line: string): string[] {
  const parts: string[] = [];
  let rest = line;
  while (Buffer.byteLength(rest) > 75) {
    let cut = Math.min(rest.length, 75);
    while (Buffer.byteLength(rest.slice(0, cut)) > 75) cut -= 1;
    // Never split a surrogate pair.
    if (/[\ud800-\udbff]/.test(rest.charAt(cut - 1))) cut -= 1;
    parts.push(rest.slice(0, cut));
    rest = " " + rest.slice(cut);
  }
  parts.push(rest);
  return parts;
}
