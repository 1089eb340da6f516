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
 * whole quarter hour), and availability answers until the calendar's version or the minute
 * changes. Time-zone arithmetic is the costly part; the hot paths ask the same questions.
 * Forget everything when the rules change.
 */
export class SlotMemo {
  private readonly grids = new Map<string, { starts: number[]; set: Set<number> }>();
  private readonly dates = new Map<number, string>();
  private readonly answers = new Map<string, Slot[]>();
  private answersFor = "";

  constructor(private rules: CalendarRules) {}

  /** New rules: nothing remembered still holds. */
  reset(rules: CalendarRules): void {
    this.rules = rules;
    this.grids.clear();
    this.dates.clear();
    this.answers.clear();
  }

  /** Drops remembered availability (memory changed without a new version: a rolled-back turn). */
  forgetAnswers(): void {
    this.answers.clear();
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
    const limit = rules.maxBookingsPerDay;
    const lengthMs = query.durationMinutes * minuteMs;
    const slots: Slot[] = [];
    for (let day = utcDayOf(earliest); day < latest; day += dayMs) {
      for (const start of this.gridOf(query.durationMinutes, day).starts) {
        if (start < earliest || start >= latest) continue;
        if (limit !== null && (query.bookingsPerDay.get(this.localDate(start)) ?? 0) >= limit)
          continue;
        const end = start + lengthMs;
        const remaining = remainingSeats(rules, query.occupancy, start, end);
        if (remaining >= 1) slots.push({ start, end, remaining });
      }
    }
    return slots;
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
