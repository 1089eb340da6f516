import {
  candidateSlots,
  localDateOf,
  remainingSeats,
  type AvailabilityQuery,
  type CalendarRules,
  type Slot,
  type SlotProblem,
} from "../domain/availability.js";

const dayMs = 86_400_000;
const quarterHourMs = 900_000;
const minuteMs = 60_000;
const maxEntries = 4096;

/**
 * Per-calendar memory of what the pure slot functions computed: the valid starts of a
 * (service length, UTC day), the local date of each quarter hour (every zone offset is a
 * whole quarter hour), the free slots of each (service length, UTC day), and availability
 * answers until the calendar's version or the minute changes. Time-zone arithmetic is the
 * costly part; the hot paths ask the same questions. Forget everything when the rules change.
 *
 * The free slots of a day are read from the occupancy and per-day counts the caller passes;
 * they must be the calendar's live ones, and every change to them must be reported through
 * `touch`, which forgets the days it can reach.
 */
export class SlotMemo {
  private readonly grids = new Map<string, { starts: number[]; set: Set<number> }>();
  private readonly dates = new Map<number, string>();
  private readonly freeDays = new Map<number, Map<number, Slot[]>>();
  private readonly answers = new Map<string, Slot[]>();
  private answersFor = "";
  /** The longest service length (minutes) with remembered free days. */
  private longest = 0;

  constructor(private rules: CalendarRules) {}

  /** New rules: nothing remembered still holds. */
  reset(rules: CalendarRules): void {
    this.rules = rules;
    this.grids.clear();
    this.dates.clear();
    this.freeDays.clear();
    this.answers.clear();
    this.longest = 0;
  }

  /** Drops remembered availability (memory changed without a new version: a rolled-back turn). */
  forgetAnswers(): void {
    this.freeDays.clear();
    this.answers.clear();
  }

  /**
   * A seat or a day's count changed at instant `ms`: forgets the free slots of every UTC day
   * with a slot that can cover it (its length and buffers included) or share its local date.
   */
  touch(ms: number): void {
    this.answers.clear();
    if (this.freeDays.size === 0) return;
    const { bufferBeforeMinutes, bufferAfterMinutes } = this.rules;
    const reachMs = (this.longest + bufferBeforeMinutes + bufferAfterMinutes) * minuteMs;
    const reach = Math.max(1, Math.ceil(reachMs / dayMs));
    const day = utcDayOf(ms);
    for (let k = -reach; k <= reach; k++) this.freeDays.delete(day + k * dayMs);
  }

  /** `checkSlotStart` of the domain, with the grid and local dates remembered. */
  check(
    durationMinutes: number,
    startMs: number,
    nowMs: number,
    bookingsPerDay: ReadonlyMap<string, number>,
  ): SlotProblem | undefined {
    const rules = this.rules;
    if (startMs < nowMs) return "in_the_past";
    if (startMs < nowMs + rules.minNoticeMinutes * minuteMs) return "too_soon";
    if (startMs >= nowMs + rules.horizonDays * dayMs) return "beyond_horizon";
    if (!this.gridOf(durationMinutes, startMs).set.has(startMs)) return "off_grid";
    const limit = rules.maxBookingsPerDay;
    if (limit !== null && (bookingsPerDay.get(this.localDate(startMs)) ?? 0) >= limit) {
      return "day_full";
    }
    return undefined;
  }

  /** The local date of an instant in the calendar's zone. */
  localDate(ms: number): string {
    const bucket = Math.floor(ms / quarterHourMs);
    let date = this.dates.get(bucket);
    if (date === undefined) {
      if (this.dates.size > maxEntries) this.dates.clear();
      date = localDateOf(bucket * quarterHourMs, this.rules.timezone);
      this.dates.set(bucket, date);
    }
    return date;
  }

  /** Availability, answered again from memory while `version` and the minute stay the same. */
  available(version: number, query: AvailabilityQuery): Slot[] {
    const stamp = `${version}/${Math.floor(query.nowMs / minuteMs)}`;
    if (stamp !== this.answersFor) {
      this.answers.clear();
      this.answersFor = stamp;
    }
    const key = `${query.durationMinutes}/${query.fromMs}/${query.toMs}`;
    let slots = this.answers.get(key);
    if (!slots) {
      if (this.answers.size > 256) this.answers.clear();
      slots = this.computeAvailable(query);
      this.answers.set(key, slots);
    }
    return slots;
  }

  /**
   * Every grid slot of a service length starting in [fromMs, toMs), with the seats free now:
   * 0 for one that cannot be booked (taken, day full, too soon or past the horizon). What a
   * change reports to viewers, so a slot that went away is named too.
   */
  slotsAcross(query: AvailabilityQuery): Slot[] {
    const rules = this.rules;
    const earliest = query.nowMs + Math.max(0, rules.minNoticeMinutes) * minuteMs;
    const latest = query.nowMs + rules.horizonDays * dayMs;
    const limit = rules.maxBookingsPerDay;
    const lengthMs = query.durationMinutes * minuteMs;
    const slots: Slot[] = [];
    for (let day = utcDayOf(query.fromMs); day < query.toMs; day += dayMs) {
      for (const start of this.gridOf(query.durationMinutes, day).starts) {
        if (start < query.fromMs || start >= query.toMs) continue;
        const end = start + lengthMs;
        const bookable =
          start >= earliest &&
          start < latest &&
          (limit === null || (query.bookingsPerDay.get(this.localDate(start)) ?? 0) < limit);
        const remaining = bookable ? remainingSeats(rules, query.occupancy, start, end) : 0;
        slots.push({ start, end, remaining: Math.max(0, remaining) });
      }
    }
    return slots;
  }

  /**
   * `availableSlots` of the domain, from the remembered grid: the same filters in the same
   * order (window, notice, horizon, daily maximum, a free seat), without time-zone arithmetic.
   */
  private computeAvailable(query: AvailabilityQuery): Slot[] {
    const rules = this.rules;
    const earliest = Math.max(
      query.fromMs,
      query.nowMs + Math.max(0, rules.minNoticeMinutes) * minuteMs,
    );
    const latest = Math.min(query.toMs, query.nowMs + rules.horizonDays * dayMs);
    const slots: Slot[] = [];
    for (let day = utcDayOf(earliest); day < latest; day += dayMs) {
      const free = this.freeOn(query, day);
      const whole = day >= earliest && day + dayMs <= latest;
      for (const slot of free) {
        if (whole || (slot.start >= earliest && slot.start < latest)) slots.push(slot);
      }
    }
    return slots;
  }

  /** The slots starting on a UTC day with a seat free and the day not full, remembered. */
  private freeOn(query: AvailabilityQuery, day: number): Slot[] {
    const { durationMinutes, occupancy, bookingsPerDay } = query;
    let lengths = this.freeDays.get(day);
    let free = lengths?.get(durationMinutes);
    if (free) return free;
    const rules = this.rules;
    const limit = rules.maxBookingsPerDay;
    const lengthMs = durationMinutes * minuteMs;
    free = [];
    for (const start of this.gridOf(durationMinutes, day).starts) {
      if (limit !== null && (bookingsPerDay.get(this.localDate(start)) ?? 0) >= limit) continue;
      const end = start + lengthMs;
      const remaining = remainingSeats(rules, occupancy, start, end);
      if (remaining >= 1) free.push({ start, end, remaining });
    }
    if (!lengths) {
      if (this.freeDays.size > maxEntries) this.freeDays.clear();
      this.freeDays.set(day, (lengths = new Map()));
    }
    lengths.set(durationMinutes, free);
    this.longest = Math.max(this.longest, durationMinutes);
    return free;
  }

  private gridOf(durationMinutes: number, startMs: number) {
    const dayStart = utcDayOf(startMs);
    const key = `${durationMinutes}/${dayStart}`;
    let grid = this.grids.get(key);
    if (!grid) {
      if (this.grids.size > maxEntries) this.grids.clear();
      const slots = candidateSlots(this.rules, durationMinutes, dayStart, dayStart + dayMs);
      const starts = slots.map((slot) => slot.start);
      grid = { starts, set: new Set(starts) };
      this.grids.set(key, grid);
    }
    return grid;
  }
}

function utcDayOf(ms: number): number {
  return ms - (((ms % dayMs) + dayMs) % dayMs);
}
