import {
  availableSlots,
  candidateSlots,
  localDateOf,
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
  private readonly grids = new Map<string, Set<number>>();
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
    if (!this.gridOf(durationMinutes, startMs).has(startMs)) return "off_grid";
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
      slots = availableSlots(this.rules, query);
      this.answers.set(key, slots);
    }
    return slots;
  }

  private gridOf(durationMinutes: number, startMs: number): Set<number> {
    const dayStart = startMs - (((startMs % dayMs) + dayMs) % dayMs);
    const key = `${durationMinutes}/${dayStart}`;
    let grid = this.grids.get(key);
    if (!grid) {
      if (this.grids.size > maxEntries) this.grids.clear();
      const slots = candidateSlots(this.rules, durationMinutes, dayStart, dayStart + dayMs);
      grid = new Set(slots.map((slot) => slot.start));
      this.grids.set(key, grid);
    }
    return grid;
  }
}
