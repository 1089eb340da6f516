// Days, windows and formats in the browser's own time zone.

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
});

/** The browser's IANA time zone, e.g. "Europe/Berlin". */
export const browserTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** Midnight of the local day `daysAhead` after the one holding `ms` (right across DST). */
export function localMidnight(ms, daysAhead = 0) {
  const day = new Date(ms);
  return new Date(day.getFullYear(), day.getMonth(), day.getDate() + daysAhead).getTime();
}

/**
 * The windows the board shows: today, and the week as the next 7 days from today's midnight
 * (so a week never ends on the day it starts, whatever the weekday).
 */
export function boardWindows(nowMs) {
  const today = { fromMs: localMidnight(nowMs), toMs: localMidnight(nowMs, 1) };
  const week = { fromMs: today.fromMs, toMs: localMidnight(nowMs, 7) };
  return { today, week };
}

/** True when `iso` falls in `[fromMs, toMs)`. */
export function isWithin(iso, window) {
  const ms = Date.parse(iso);
  return ms >= window.fromMs && ms < window.toMs;
}

/** "10:00–10:30", with the day first when asked ("Thu 5 Dec, 10:00–10:30"). */
export function formatSpan(startIso, endIso, withDay) {
  const start = new Date(startIso);
  const times = `${timeFormat.format(start)}–${timeFormat.format(new Date(endIso))}`;
  return withDay ? `${dayFormat.format(start)}, ${times}` : times;
}

/** "4:07" (or "1:02:03") until `iso`; "0:00" once it has passed. */
export function formatCountdown(iso, nowMs) {
  const seconds = Math.max(0, Math.ceil((Date.parse(iso) - nowMs) / 1000));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, "0");
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, "0")}:${rest}` : `${minutes}:${rest}`;
}

/** The value a `datetime-local` input shows for `iso`, in local time ("2025-01-31T09:30"). */
export function toLocalInput(iso) {
  const date = new Date(iso);
  const two = (n) => String(n).padStart(2, "0");
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `${day}T${two(date.getHours())}:${two(date.getMinutes())}`;
}

/** The ISO instant of a `datetime-local` value, read as local time; undefined when empty. */
export function fromLocalInput(value) {
  const ms = value ? new Date(value).getTime() : NaN;
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

/** An amount in minor units as the browser writes money ("€40.00", "¥4,000"). */
export function formatPrice(priceCents, currency) {
  try {
    const format = new Intl.NumberFormat(undefined, { style: "currency", currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(priceCents / 10 ** digits);
  } catch {
    return `${priceCents} ${currency}`;
  }
}
