/**
 * What an agent caller asks for, read from free text or from structured input. The parser is
 * deliberately small and deterministic: ISO dates, clock times, durations and a customer
 * written as `Name <email>`; anything else is reported as missing, never guessed.
 */

/** The customer a booking is for. */
export interface BookingCustomer {
  name: string;
  email: string;
  phone?: string;
}

/** A booking request as far as the caller stated it. */
export interface BookingRequest {
  calendarId?: string;
  serviceId?: string;
  /** An exact instant (ISO with offset), when the caller gave one. */
  startInstant?: string;
  /** A wall-clock date and time in the calendar's zone, when given as words. */
  localDate?: string;
  localTime?: string;
  durationMinutes?: number;
  /** Lower-case words of the text, to match service names. */
  words: string[];
  customer: Partial<BookingCustomer>;
}

/** What an agent was asked to do. */
export type AgentIntent =
  | { kind: "book"; request: BookingRequest }
  | { kind: "cancel"; bookingId: string }
  | { kind: "unrelated"; text: string };

/** An example request, shown whenever the caller needs to know how to ask. */
export const exampleRequest =
  "book a 30 minute consultation on 2027-03-04 at 10:00 for Jane Roe <jane@example.org>";

const emailPattern = /<?\s*([^\s<>@,;]+@[^\s<>@,;]+\.[A-Za-z]{2,})\s*>?/;
const isoInstantPattern =
  /\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})/;
const isoDatePattern = /\b(\d{4})-(\d{2})-(\d{2})\b/;
const clockPattern = /\b([01]?\d|2[0-3]):([0-5]\d)\s*(am|pm)?\b/i;
const meridiemPattern = /\b(1[0-2]|0?[1-9])\s*(am|pm)\b/i;
const minutesPattern = /\b(\d{1,4})\s*-?\s*(?:min|mins|minute|minutes)\b/i;
const hoursPattern = /\b(\d{1,2})\s*-?\s*(?:h|hr|hrs|hour|hours)\b/i;
const cancelPattern = /\bcancel\b[^\n]*?\b(bkg_[a-z0-9]{1,40})\b/i;
const bookingWords = /\b(book|booking|appointment|reserve|schedule|slot|consultation|session)\b/i;

/** Reads what the caller wants from a text and an optional structured object. */
export function readIntent(text: string | null | undefined, data: unknown): AgentIntent {
  const words = text ?? "";
  const cancel = cancelPattern.exec(words);
  if (cancel?.[1]) return { kind: "cancel", bookingId: cancel[1] };

  const request = mergeStructured(parseBookingText(words), data);
  if (isBookingLike(words, request)) return { kind: "book", request };
  return { kind: "unrelated", text: words };
}

/** Parses a free-text booking request. */
export function parseBookingText(text: string): BookingRequest {
  const email = emailPattern.exec(text);
  const customer: Partial<BookingCustomer> = {};
  if (email?.[1]) {
    customer.email = email[1];
    const name = nameBefore(text.slice(0, email.index));
    if (name) customer.name = name;
  }
  const rest = email ? text.replace(email[0], " ") : text;

  const request: BookingRequest = { words: wordsOf(rest), customer };
  const instant = isoInstantPattern.exec(rest);
  if (instant) {
    request.startInstant = instant[0];
  } else {
    readDateAndTime(rest, request);
  }
  const duration = durationIn(rest);
  if (duration !== undefined) request.durationMinutes = duration;
  return request;
}

function readDateAndTime(text: string, request: BookingRequest): void {
  const date = isoDatePattern.exec(text);
  if (date) request.localDate = `${date[1]}-${date[2]}-${date[3]}`;
  const withoutDate = date ? text.replace(date[0], " ") : text;
  const time = clockTimeIn(withoutDate);
  if (time) request.localTime = time;
}

/** `10:00`, `10:30 pm`, `10am` as `HH:MM` on a 24-hour clock. */
function clockTimeIn(text: string): string | undefined {
  const clock = clockPattern.exec(text);
  if (clock) return twentyFourHour(Number(clock[1]), Number(clock[2]), clock[3]);
  const short = meridiemPattern.exec(text);
  if (short) return twentyFourHour(Number(short[1]), 0, short[2]);
  return undefined;
}

function twentyFourHour(hour: number, minute: number, meridiem: string | undefined): string {
  let h = hour;
  const suffix = meridiem?.toLowerCase();
  if (suffix === "pm" && h < 12) h += 12;
  if (suffix === "am" && h === 12) h = 0;
  return `${String(h).padStart(2, "0")}:${String(minute).padStart(2, "0")}`;
}

function durationIn(text: string): number | undefined {
  const minutes = minutesPattern.exec(text);
  if (minutes) return Number(minutes[1]);
  const hours = hoursPattern.exec(text);
  return hours ? Number(hours[1]) * 60 : undefined;
}

const labelPattern = /\b(?:for|name|customer)\b:?\s+/gi;
const namePattern = /^[A-Za-z\u00C0-\u024F][A-Za-z\u00C0-\u024F .'-]{0,199}$/;
const capitalizedPattern =
  /(?:[A-Z\u00C0-\u00DE][\w\u00C0-\u024F'-]*\s+){0,3}[A-Z\u00C0-\u00DE][\w\u00C0-\u024F'-]*$/;

/**
 * The name written just before the email: after the last `for`, `name:` or `customer:`, or
 * else the capitalized words right before it (`Jane Roe <jane@…>`).
 */
function nameBefore(prefix: string): string | undefined {
  const trimmed = prefix.replace(/[\s,(<:-]+$/, "");
  const label = [...trimmed.matchAll(labelPattern)].at(-1);
  if (label) {
    const candidate = trimmed.slice(label.index + label[0].length).trim();
    if (namePattern.test(candidate)) return candidate;
  }
  return capitalizedPattern.exec(trimmed)?.[0];
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[a-z\u00C0-\u024F]{3,}/g) ?? [];
}

function isBookingLike(text: string, request: BookingRequest): boolean {
  if (request.serviceId || request.calendarId || request.startInstant) return true;
  if (request.customer.email || request.localDate || request.localTime) return true;
  return bookingWords.test(text);
}

/** Structured input (`{ calendarId?, serviceId?, start, customer }`) overrides the text. */
function mergeStructured(request: BookingRequest, data: unknown): BookingRequest {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return request;
  const fields = data as Record<string, unknown>;
  const merged: BookingRequest = { ...request, customer: { ...request.customer } };
  if (typeof fields.calendarId === "string") merged.calendarId = fields.calendarId;
  if (typeof fields.serviceId === "string") merged.serviceId = fields.serviceId;
  if (typeof fields.start === "string") {
    merged.startInstant = fields.start;
    delete merged.localDate;
    delete merged.localTime;
  }
  if (typeof fields.durationMinutes === "number") merged.durationMinutes = fields.durationMinutes;
  const customer = fields.customer;
  if (typeof customer === "object" && customer !== null) {
    const given = customer as Record<string, unknown>;
    if (typeof given.name === "string") merged.customer.name = given.name;
    if (typeof given.email === "string") merged.customer.email = given.email;
    if (typeof given.phone === "string") merged.customer.phone = given.phone;
  }
  return merged;
}
