import { IANAZone } from "luxon";
import { errors } from "./app-error.js";
import { weekdays, type TimeRange, type Weekday, type WeeklyHours } from "./weekly-hours.js";

/** Grid cell size: every reservation occupies whole 5-minute cells. */
export const cellMinutes = 5;
/** Grid cell size in milliseconds; cell starts are multiples of it since the epoch. */
export const cellMs = cellMinutes * 60_000;

/** A date with special hours, or closed (`hours` absent or empty and `closed: true`). */
export interface DateOverride {
  /** YYYY-MM-DD, local to the calendar. */
  date: string;
  closed?: boolean;
  hours?: TimeRange[];
}

/** Everything about a calendar that decides which slots exist. */
export interface CalendarRules {
  /** IANA time zone the hours are read in. */
  timezone: string;
  weeklyHours: WeeklyHours;
  dateOverrides: DateOverride[];
  /** Step between slot starts, in local wall-clock minutes. */
  slotIntervalMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
  minNoticeMinutes: number;
  horizonDays: number;
  /** Seats per slot. */
  capacity: number;
  maxBookingsPerDay: number | null;
}

/** A bookable interval, instants in ms since the epoch. */
export interface SlotTime {
  start: number;
  end: number;
}

/** A slot with the seats still free. */
export interface Slot extends SlotTime {
  remaining: number;
}

/** What availability needs besides the rules. */
export interface AvailabilityQuery {
  durationMinutes: number;
  fromMs: number;
  toMs: number;
  nowMs: number;
  /** Seats taken per cell start (missing = 0). */
  occupancy: ReadonlyMap<number, number>;
  /** Confirmed bookings per local date (missing = 0), for maxBookingsPerDay. */
  bookingsPerDay: ReadonlyMap<string, number>;
}

/** Why a start time cannot be booked; `checkSlotStart` reports the first that applies. */
export type SlotProblem = "off_grid" | "in_the_past" | "too_soon" | "beyond_horizon" | "day_full";

const minuteMs = 60_000;
const dayMs = 86_400_000;

/** One local date of a calendar and how its wall times map to instants. */
interface LocalDay {
  /** YYYY-MM-DD. */
  date: string;
  weekday: Weekday;
  /** The date's 00:00 wall time read as if it were UTC. */
  midnight: number;
  /** UTC offset (ms) in force before `changeAt`. */
  offsetBefore: number;
  /** UTC offset (ms) in force from `changeAt`; equal to `offsetBefore` when nothing changes. */
  offsetAfter: number;
  /** The instant the offset changes near this date, or Infinity when it does not. */
  changeAt: number;
}

/** The candidate slots of one local date. */
interface DaySlots {
  date: string;
  slots: SlotTime[];
}

/** Slots of `durationMinutes` starting in [fromMs, toMs), from the calendar's hours only. */
export function candidateSlots(
  rules: CalendarRules,
  durationMinutes: number,
  fromMs: number,
  toMs: number,
): SlotTime[] {
  return slotsPerDay(rules, durationMinutes, fromMs, toMs).flatMap((day) => day.slots);
}

/** The start (ms) of every grid cell a reservation [start, end) occupies, buffers included. */
export function occupiedCells(
  rules: Pick<CalendarRules, "bufferBeforeMinutes" | "bufferAfterMinutes">,
  start: number,
  end: number,
): number[] {
  const [first, stop] = spanCells(rules, start, end);
  const cells: number[] = [];
  for (let cell = first; cell < stop; cell += cellMs) cells.push(cell);
  return cells;
}

/** The local date YYYY-MM-DD of an instant in a zone. */
export function localDateOf(ms: number, zone: string): string {
  return isoDate(localMidnightOf(openZone(zone), ms));
}

/** Slots bookable now: past notice, within the horizon, day not full, a seat free with buffers. */
export function availableSlots(rules: CalendarRules, query: AvailabilityQuery): Slot[] {
  // A negative notice must not reopen the past.
  const noticeMs = Math.max(0, rules.minNoticeMinutes) * minuteMs;
  const fromMs = Math.max(query.fromMs, query.nowMs + noticeMs);
  const toMs = Math.min(query.toMs, query.nowMs + rules.horizonDays * dayMs);

  const slots: Slot[] = [];
  for (const day of slotsPerDay(rules, query.durationMinutes, fromMs, toMs)) {
    if (isDayFull(rules, query.bookingsPerDay, day.date)) continue;
    const remaining = remainingPerSlot(rules, query.occupancy, day.slots);
    day.slots.forEach(({ start, end }, index) => {
      if (remaining[index]! >= 1) slots.push({ start, end, remaining: remaining[index]! });
    });
  }
  return slots;
}

/** Seats free for [start, end): capacity minus the fullest cell it covers, buffers included. */
export function remainingSeats(
  rules: CalendarRules,
  occupancy: ReadonlyMap<number, number>,
  start: number,
  end: number,
): number {
  const [first, stop] = spanCells(rules, start, end);
  let fullest = 0;
  for (let cell = first; cell < stop; cell += cellMs) {
    fullest = Math.max(fullest, occupancy.get(cell) ?? 0);
  }
  return rules.capacity - fullest;
}

/** Why a start time cannot be booked, or undefined when it can (ignoring occupancy). */
export function checkSlotStart(
  rules: CalendarRules,
  durationMinutes: number,
  startMs: number,
  nowMs: number,
  bookingsPerDay: ReadonlyMap<string, number>,
): SlotProblem | undefined {
  if (startMs < nowMs) return "in_the_past";
  if (startMs < nowMs + rules.minNoticeMinutes * minuteMs) return "too_soon";
  if (startMs >= nowMs + rules.horizonDays * dayMs) return "beyond_horizon";

  const candidates = candidateSlots(rules, durationMinutes, startMs, startMs + 1);
  if (!candidates.some((slot) => slot.start === startMs)) return "off_grid";

  const date = localDateOf(startMs, rules.timezone);
  if (isDayFull(rules, bookingsPerDay, date)) return "day_full";
  return undefined;
}

/** Candidate slots grouped by local date, dates in order, starts in [fromMs, toMs). */
function slotsPerDay(
  rules: CalendarRules,
  durationMinutes: number,
  fromMs: number,
  toMs: number,
): DaySlots[] {
  if (!(fromMs < toMs)) return [];
  if (!(rules.slotIntervalMinutes > 0)) {
    throw errors.invalidInput([
      { path: "slotIntervalMinutes", message: "must be a positive number of minutes" },
    ]);
  }
  const zone = openZone(rules.timezone);
  const overrides = new Map(rules.dateOverrides.map((override) => [override.date, override]));

  const result: DaySlots[] = [];
  for (const day of localDaysBetween(zone, fromMs, toMs)) {
    const ranges = rangesOf(rules, overrides, day);
    const slots = slotsOf(day, ranges, rules.slotIntervalMinutes, durationMinutes).filter(
      (slot) => slot.start >= fromMs && slot.start < toMs,
    );
    if (slots.length > 0) result.push({ date: day.date, slots });
  }
  return result;
}

/** The opening ranges of one date: its override when there is one, else its weekday's hours. */
function rangesOf(
  rules: CalendarRules,
  overrides: ReadonlyMap<string, DateOverride>,
  day: LocalDay,
): readonly TimeRange[] {
  const override = overrides.get(day.date);
  if (override) return override.closed ? [] : (override.hours ?? []);
  return rules.weeklyHours[day.weekday] ?? [];
}

/** The slots of one date: wall-clock steps from each range start that fit before its end. */
function slotsOf(
  day: LocalDay,
  ranges: readonly TimeRange[],
  intervalMinutes: number,
  durationMinutes: number,
): SlotTime[] {
  const durationMs = durationMinutes * minuteMs;
  const slots: SlotTime[] = [];
  for (const [from, to] of ranges) {
    const startWall = wallMinutesOf(from);
    const endWall = wallMinutesOf(to);
    const endMs = rangeEndOf(day, endWall);
    for (let wall = startWall; wall < endWall; wall += intervalMinutes) {
      const start = firstInstantOf(day, wall);
      // A wall time the clock skips is dropped, never shifted onto the next real time.
      if (start === undefined) continue;
      // Instants grow with wall time, so no later step fits either.
      if (start + durationMs > endMs) break;
      slots.push({ start, end: start + durationMs });
    }
  }
  return ranges.length > 1 ? sortUnique(slots) : slots;
}

/** The first instant the clock reads `wallMinutes` on this date; undefined in a skipped hour. */
function firstInstantOf(day: LocalDay, wallMinutes: number): number | undefined {
  const local = day.midnight + wallMinutes * minuteMs;
  // A wall time is real under the old offset if that reading falls before the change, and under
  // the new one if at or after it. Both real is a repeated time; neither, a skipped one.
  const readOld = local - day.offsetBefore;
  const readNew = local - day.offsetAfter;
  const oldHolds = readOld < day.changeAt;
  const newHolds = readNew >= day.changeAt;
  if (oldHolds && newHolds) return Math.min(readOld, readNew);
  if (oldHolds) return readOld;
  if (newHolds) return readNew;
  return undefined;
}

/** When a range ending at `wallMinutes` closes; an end inside a skipped hour closes at the jump. */
function rangeEndOf(day: LocalDay, wallMinutes: number): number {
  return firstInstantOf(day, wallMinutes) ?? day.changeAt;
}

/** Every local date from the one holding `fromMs` to the one holding `toMs - 1`. */
function localDaysBetween(zone: IANAZone, fromMs: number, toMs: number): LocalDay[] {
  const first = localMidnightOf(zone, fromMs);
  const count = Math.round((localMidnightOf(zone, toMs - 1) - first) / dayMs) + 1;

  // Every instant a date's wall times can name lies between a day before its midnight and two
  // days after, so one offset sample per midnight, a day either side of the dates, covers them.
  // Asking the zone is the costly part; this assumes, as holds for real zones, that an offset
  // changes at most once in three days.
  const sampleAt = (index: number) => first + (index - 1) * dayMs;
  const samples = Array.from({ length: count + 3 }, (_, index) =>
    offsetMsAt(zone, sampleAt(index)),
  );
  const changes = samples.map((offset, index) =>
    index + 1 < samples.length && samples[index + 1] !== offset
      ? findChange(zone, sampleAt(index), offset, sampleAt(index + 1))
      : Infinity,
  );

  return Array.from({ length: count }, (_, index) => {
    const midnight = first + index * dayMs;
    return {
      date: isoDate(midnight),
      weekday: weekdayOf(midnight),
      midnight,
      offsetBefore: samples[index]!,
      offsetAfter: samples[index + 3]!,
      changeAt: Math.min(changes[index]!, changes[index + 1]!, changes[index + 2]!),
    };
  });
}

/** The instant in (lo, hi] where the offset stops being `offsetAtLo`, to the minute zones use. */
function findChange(zone: IANAZone, lo: number, offsetAtLo: number, hi: number): number {
  while (hi - lo > minuteMs) {
    const mid = lo + Math.floor((hi - lo) / 2 / minuteMs) * minuteMs;
    if (offsetMsAt(zone, mid) === offsetAtLo) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The local 00:00 of the date holding `ms`, read as if it were UTC. */
function localMidnightOf(zone: IANAZone, ms: number): number {
  const local = ms + offsetMsAt(zone, ms);
  return Math.floor(local / dayMs) * dayMs;
}

/** The zone's UTC offset at an instant, in ms. */
function offsetMsAt(zone: IANAZone, ms: number): number {
  return zone.offset(ms) * minuteMs;
}

/** The luxon zone for an IANA name; a calendar with an unknown zone cannot have slots. */
function openZone(name: string): IANAZone {
  const zone = IANAZone.create(name);
  if (zone.isValid) return zone;
  throw errors.invalidInput([
    {
      path: "timezone",
      message: `unknown time zone "${name}"; use an IANA name such as Europe/Berlin`,
    },
  ]);
}

/** The first and past-the-last grid cell of [start, end) widened by the buffers. */
function spanCells(
  rules: Pick<CalendarRules, "bufferBeforeMinutes" | "bufferAfterMinutes">,
  start: number,
  end: number,
): [first: number, stop: number] {
  const from = start - rules.bufferBeforeMinutes * minuteMs;
  const to = end + rules.bufferAfterMinutes * minuteMs;
  return [Math.floor(from / cellMs) * cellMs, Math.ceil(to / cellMs) * cellMs];
}

/** Seats each slot of one day leaves free, asking `occupancy` once per cell the day touches. */
function remainingPerSlot(
  rules: CalendarRules,
  occupancy: ReadonlyMap<number, number>,
  slots: readonly SlotTime[],
): number[] {
  // Neighbouring slots share most cells; reading each from the map once keeps dense calendars fast.
  const [dayFirst] = spanCells(rules, slots[0]!.start, slots[0]!.end);
  const [, dayStop] = spanCells(rules, slots.at(-1)!.start, slots.at(-1)!.end);
  const taken: number[] = [];
  for (let cell = dayFirst; cell < dayStop; cell += cellMs) taken.push(occupancy.get(cell) ?? 0);

  return slots.map(({ start, end }) => {
    const [first, stop] = spanCells(rules, start, end);
    let fullest = 0;
    for (let index = (first - dayFirst) / cellMs; index < (stop - dayFirst) / cellMs; index++) {
      fullest = Math.max(fullest, taken[index]!);
    }
    return rules.capacity - fullest;
  });
}

/** True when the date already holds the calendar's maximum of bookings. */
function isDayFull(
  rules: CalendarRules,
  bookingsPerDay: ReadonlyMap<string, number>,
  date: string,
): boolean {
  if (rules.maxBookingsPerDay === null) return false;
  return (bookingsPerDay.get(date) ?? 0) >= rules.maxBookingsPerDay;
}

/** Minutes after local midnight of an `"HH:MM"` time; `"24:00"` is the end of the day. */
function wallMinutesOf(time: string): number {
  const [hours, minutes] = time.split(":");
  return Number(hours) * 60 + Number(minutes);
}

/** Slots in start order with repeated starts (from overlapping ranges) kept once. */
function sortUnique(slots: SlotTime[]): SlotTime[] {
  slots.sort((a, b) => a.start - b.start);
  return slots.filter((slot, index) => index === 0 || slot.start !== slots[index - 1]!.start);
}

/** YYYY-MM-DD of a midnight read as UTC. */
function isoDate(midnight: number): string {
  return new Date(midnight).toISOString().slice(0, 10);
}

/** The weekday of a midnight read as UTC; `getUTCDay` counts from Sunday, weekdays from Monday. */
function weekdayOf(midnight: number): Weekday {
  return weekdays[(new Date(midnight).getUTCDay() + 6) % 7]!;
}
