import fc from "fast-check";
import { DateTime, Settings } from "luxon";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { isAppError } from "../../src/domain/app-error.js";
import {
  availableSlots,
  candidateSlots,
  cellMs,
  checkSlotStart,
  localDateOf,
  occupiedCells,
  remainingSeats,
  type AvailabilityQuery,
  type CalendarRules,
  type SlotTime,
} from "../../src/domain/availability.js";
import { officeHours, type TimeRange } from "../../src/domain/weekly-hours.js";

const minuteMs = 60_000;
const dayMs = 86_400_000;
const berlin = "Europe/Berlin";

function calendar(changes: Partial<CalendarRules> = {}): CalendarRules {
  return {
    timezone: berlin,
    weeklyHours: officeHours,
    dateOverrides: [],
    slotIntervalMinutes: 30,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    minNoticeMinutes: 0,
    horizonDays: 365,
    capacity: 1,
    maxBookingsPerDay: null,
    ...changes,
  };
}

/** A calendar open only on `date`, with `hours`. */
function openOnly(zone: string, date: string, hours: TimeRange[], interval = 30): CalendarRules {
  return calendar({
    timezone: zone,
    weeklyHours: {},
    dateOverrides: [{ date, hours }],
    slotIntervalMinutes: interval,
  });
}

/** An unambiguous local wall time `yyyy-MM-dd HH:mm` in `zone` as an instant. */
function instantOf(wall: string, zone = berlin): number {
  return DateTime.fromFormat(wall, "yyyy-MM-dd HH:mm", { zone }).toMillis();
}

/** Candidate slots of every local date from `date` to the day after, wide enough for any zone. */
function slotsAround(rules: CalendarRules, duration: number, date: string): SlotTime[] {
  const midnight = Date.parse(`${date}T00:00:00Z`);
  return candidateSlots(rules, duration, midnight - 2 * dayMs, midnight + 3 * dayMs);
}

function wallsOf(slots: SlotTime[], zone = berlin, format = "HH:mm"): string[] {
  return slots.map((slot) => DateTime.fromMillis(slot.start, { zone }).toFormat(format));
}

function query(changes: Partial<AvailabilityQuery>): AvailabilityQuery {
  const nowMs = instantOf("2027-03-01 00:00");
  return {
    durationMinutes: 60,
    fromMs: nowMs,
    toMs: nowMs + 7 * dayMs,
    nowMs,
    occupancy: new Map(),
    bookingsPerDay: new Map(),
    ...changes,
  };
}

/** Seats taken per cell by reservations of one seat each, as the engine would count them. */
function occupancyOf(rules: CalendarRules, reservations: [number, number][]): Map<number, number> {
  const occupancy = new Map<number, number>();
  for (const [start, end] of reservations) {
    for (const cell of occupiedCells(rules, start, end)) {
      occupancy.set(cell, (occupancy.get(cell) ?? 0) + 1);
    }
  }
  return occupancy;
}

const hours = suite("domain: availability from opening hours");

hours("a weekday offers every interval step whose slot ends by closing time", () => {
  const slots = slotsAround(calendar(), 60, "2027-03-01");
  const monday = slots.filter((slot) => localDateOf(slot.start, berlin) === "2027-03-01");
  assert.is(monday.length, 15);
  assert.is(monday[0]!.start, instantOf("2027-03-01 09:00"));
  assert.is(monday.at(-1)!.start, instantOf("2027-03-01 16:00"));
  assert.is(monday.at(-1)!.end, instantOf("2027-03-01 17:00"));
});

hours("a weekday missing from the weekly hours is closed", () => {
  const saturday = instantOf("2027-03-06 00:00");
  assert.equal(candidateSlots(calendar(), 30, saturday, saturday + 2 * dayMs), []);
});

hours("several ranges a day each start their own steps", () => {
  const ranges: TimeRange[] = [
    ["09:00", "12:00"],
    ["13:15", "15:15"],
  ];
  const rules = openOnly(berlin, "2027-03-01", ranges, 60);
  assert.equal(wallsOf(slotsAround(rules, 60, "2027-03-01")), [
    "09:00",
    "10:00",
    "11:00",
    "13:15",
    "14:15",
  ]);
});

hours("overlapping ranges give each start once, in order", () => {
  const rules = openOnly(
    berlin,
    "2027-03-01",
    [
      ["10:00", "12:00"],
      ["09:00", "11:00"],
    ],
    60,
  );
  assert.equal(wallsOf(slotsAround(rules, 60, "2027-03-01")), ["09:00", "10:00", "11:00"]);
});

hours("a closed override removes the day's weekly hours", () => {
  const rules = calendar({ dateOverrides: [{ date: "2027-03-01", closed: true }] });
  const slots = slotsAround(rules, 60, "2027-03-01");
  assert.ok(slots.every((slot) => localDateOf(slot.start, berlin) !== "2027-03-01"));
  assert.ok(slots.some((slot) => localDateOf(slot.start, berlin) === "2027-03-02"));
});

hours("an override with special hours replaces the weekly hours, even on a closed weekday", () => {
  const rules = calendar({
    dateOverrides: [
      { date: "2027-03-01", hours: [["14:00", "15:00"]] },
      { date: "2027-03-06", hours: [["10:00", "12:00"]] },
    ],
  });
  const slots = candidateSlots(
    rules,
    60,
    instantOf("2027-03-01 00:00"),
    instantOf("2027-03-07 00:00"),
  );
  const onDate = (date: string) => slots.filter((s) => localDateOf(s.start, berlin) === date);
  assert.equal(wallsOf(onDate("2027-03-01")), ["14:00"]);
  assert.equal(wallsOf(onDate("2027-03-06")), ["10:00", "10:30", "11:00"]);
});

hours('a range ending at "24:00" runs to midnight', () => {
  const rules = openOnly(berlin, "2027-03-01", [["22:00", "24:00"]]);
  const slots = slotsAround(rules, 60, "2027-03-01");
  assert.equal(wallsOf(slots), ["22:00", "22:30", "23:00"]);
  assert.is(slots.at(-1)!.end, instantOf("2027-03-02 00:00"));
});

hours("only starts in [fromMs, toMs) are returned", () => {
  const from = instantOf("2027-03-01 10:00");
  const slots = candidateSlots(calendar(), 30, from, instantOf("2027-03-01 11:00"));
  assert.equal(wallsOf(slots), ["10:00", "10:30"]);
  assert.equal(candidateSlots(calendar(), 30, from, from), []);
});

hours("the local date of an instant follows the zone's offset", () => {
  assert.is(localDateOf(Date.parse("2027-01-01T19:00:00Z"), "Asia/Kolkata"), "2027-01-02");
  assert.is(localDateOf(Date.parse("2027-01-01T03:00:00Z"), "America/New_York"), "2026-12-31");
  assert.is(localDateOf(Date.parse("2027-01-01T03:00:00Z"), berlin), "2027-01-01");
});

hours("an unknown time zone or a non-positive interval is refused as invalid input", () => {
  const refusal = (rules: CalendarRules) => {
    try {
      candidateSlots(rules, 30, 0, dayMs);
    } catch (error) {
      return isAppError(error) ? error.code : "other";
    }
    return "none";
  };
  assert.is(refusal(calendar({ timezone: "Mars/Olympus" })), "invalid_input");
  assert.is(refusal(calendar({ slotIntervalMinutes: 0 })), "invalid_input");
});

const daylight = suite("domain: availability across daylight-saving changes");

daylight("a 09:00 slot stays 09:00 local across the spring change", () => {
  const slots = candidateSlots(
    calendar(),
    30,
    instantOf("2027-03-26 00:00"),
    instantOf("2027-03-30 00:00"),
  );
  const firsts = [slots[0]!, slots.find((s) => localDateOf(s.start, berlin) === "2027-03-29")!];
  assert.equal(wallsOf(firsts, berlin, "ccc HH:mm"), ["Fri 09:00", "Mon 09:00"]);
  assert.equal(
    firsts.map((slot) => new Date(slot.start).toISOString()),
    ["2027-03-26T08:00:00.000Z", "2027-03-29T07:00:00.000Z"],
  );
});

daylight("Berlin's skipped hour on 2027-03-28 has no 02:00 or 02:30 slot", () => {
  const rules = openOnly(berlin, "2027-03-28", [["01:00", "04:00"]]);
  const slots = slotsAround(rules, 30, "2027-03-28");
  assert.equal(wallsOf(slots, berlin, "HH:mmZZ"), [
    "01:00+01:00",
    "01:30+01:00",
    "03:00+02:00",
    "03:30+02:00",
  ]);
  // The 01:30 slot lasts 30 real minutes and ends as clocks jump to 03:00.
  assert.is(slots[1]!.end, Date.parse("2027-03-28T03:00:00+02:00"));
});

daylight("a range ending inside the skipped hour closes at the jump", () => {
  const rules = openOnly(berlin, "2027-03-28", [["01:00", "02:30"]]);
  const slots = slotsAround(rules, 60, "2027-03-28");
  assert.equal(slots, [
    {
      start: Date.parse("2027-03-28T01:00:00+01:00"),
      end: Date.parse("2027-03-28T03:00:00+02:00"),
    },
  ]);
});

daylight(
  "Berlin's repeated hour on 2027-10-31 gives one 02:00 and one 02:30, the first ones",
  () => {
    const rules = openOnly(berlin, "2027-10-31", [["02:00", "03:00"]]);
    const slots = slotsAround(rules, 30, "2027-10-31");
    assert.equal(
      slots.map((slot) => slot.start),
      [Date.parse("2027-10-31T02:00:00+02:00"), Date.parse("2027-10-31T02:30:00+02:00")],
    );
  },
);

daylight("the repeated hour resolves the same whatever the current date", () => {
  // luxon resolves an ambiguous wall time with the offset in force *now*; slots must not.
  const rules = openOnly(berlin, "2027-10-31", [["01:00", "04:00"]]);
  const realNow = Settings.now;
  try {
    Settings.now = () => Date.parse("2027-01-15T12:00:00Z");
    const inWinter = slotsAround(rules, 30, "2027-10-31");
    Settings.now = () => Date.parse("2027-07-15T12:00:00Z");
    assert.equal(slotsAround(rules, 30, "2027-10-31"), inWinter);
  } finally {
    Settings.now = realNow;
  }
});

daylight("New York skips 02:00 on 2027-03-14 and repeats 01:00 once on 2027-11-07", () => {
  const zone = "America/New_York";
  const spring = slotsAround(openOnly(zone, "2027-03-14", [["01:00", "04:00"]]), 30, "2027-03-14");
  assert.equal(wallsOf(spring, zone, "HH:mmZZ"), [
    "01:00-05:00",
    "01:30-05:00",
    "03:00-04:00",
    "03:30-04:00",
  ]);
  const fall = slotsAround(openOnly(zone, "2027-11-07", [["00:00", "03:00"]]), 30, "2027-11-07");
  assert.equal(wallsOf(fall, zone, "HH:mmZZ"), [
    "00:00-04:00",
    "00:30-04:00",
    "01:00-04:00",
    "01:30-04:00",
    "02:00-05:00",
    "02:30-05:00",
  ]);
});

daylight("Lord Howe's half-hour changes skip 02:00–02:30 and repeat 01:30–02:00 once", () => {
  const zone = "Australia/Lord_Howe";
  const fall = slotsAround(
    openOnly(zone, "2027-04-04", [["01:00", "03:00"]], 15),
    15,
    "2027-04-04",
  );
  assert.equal(wallsOf(fall, zone, "HH:mmZZ"), [
    "01:00+11:00",
    "01:15+11:00",
    "01:30+11:00",
    "01:45+11:00",
    "02:00+10:30",
    "02:15+10:30",
    "02:30+10:30",
    "02:45+10:30",
  ]);
  const spring = slotsAround(
    openOnly(zone, "2027-10-03", [["01:00", "03:00"]], 15),
    15,
    "2027-10-03",
  );
  assert.equal(wallsOf(spring, zone, "HH:mmZZ"), [
    "01:00+10:30",
    "01:15+10:30",
    "01:30+10:30",
    "01:45+10:30",
    "02:30+11:00",
    "02:45+11:00",
  ]);
});

daylight("Kolkata's half-hour offset puts 09:00 at 03:30 UTC all year", () => {
  const zone = "Asia/Kolkata";
  for (const date of ["2027-01-04", "2027-07-05"]) {
    const slots = slotsAround(openOnly(zone, date, [["09:00", "10:00"]]), 30, date);
    assert.equal(
      slots.map((slot) => new Date(slot.start).toISOString().slice(11, 16)),
      ["03:30", "04:00"],
    );
  }
});

daylight('"24:00" on a date whose midnight is skipped ends when the clocks jump', () => {
  // Santiago moves 24:00 on 2027-09-04 straight to 01:00 on 2027-09-05.
  const zone = "America/Santiago";
  const slots = slotsAround(openOnly(zone, "2027-09-04", [["23:00", "24:00"]]), 30, "2027-09-04");
  assert.equal(wallsOf(slots, zone, "HH:mmZZ"), ["23:00-04:00", "23:30-04:00"]);
  assert.is(slots.at(-1)!.end, Date.parse("2027-09-05T01:00:00-03:00"));
});

const cells = suite("domain: availability grid cells and seats");

cells("a reservation occupies every 5-minute cell it touches, buffers included", () => {
  const start = Date.UTC(2027, 0, 4, 10, 2);
  const end = Date.UTC(2027, 0, 4, 10, 13);
  const buffers = { bufferBeforeMinutes: 5, bufferAfterMinutes: 4 };
  assert.equal(
    occupiedCells(buffers, start, end).map((cell) => new Date(cell).toISOString().slice(11, 16)),
    ["09:55", "10:00", "10:05", "10:10", "10:15"],
  );
  const aligned = { bufferBeforeMinutes: 0, bufferAfterMinutes: 0 };
  assert.is(occupiedCells(aligned, Date.UTC(2027, 0, 4, 10), Date.UTC(2027, 0, 4, 11)).length, 12);
});

cells("remaining seats are capacity minus the fullest cell covered", () => {
  const rules = calendar({ capacity: 3, bufferAfterMinutes: 10 });
  const occupancy = new Map([
    [instantOf("2027-03-01 10:00"), 1],
    [instantOf("2027-03-01 11:05"), 2],
  ]);
  const at = (wall: string) => instantOf(`2027-03-01 ${wall}`);
  assert.is(remainingSeats(rules, occupancy, at("09:00"), at("09:50")), 3);
  assert.is(remainingSeats(rules, occupancy, at("09:30"), at("10:30")), 2);
  // The 10-minute buffer after 11:00 reaches the cell at 11:05.
  assert.is(remainingSeats(rules, occupancy, at("10:00"), at("11:00")), 1);
});

const offered = suite("domain: slots a customer may book");

offered("capacity 3 keeps a slot open until three reservations overlap it", () => {
  const rules = calendar({ capacity: 3 });
  const booking: [number, number] = [instantOf("2027-03-01 10:00"), instantOf("2027-03-01 11:00")];
  const remainingAt = (count: number, wall: string) => {
    const occupancy = occupancyOf(rules, Array(count).fill(booking));
    const slots = availableSlots(rules, query({ occupancy }));
    return slots.find((slot) => slot.start === instantOf(`2027-03-01 ${wall}`))?.remaining;
  };
  assert.is(remainingAt(0, "10:00"), 3);
  assert.is(remainingAt(2, "10:00"), 1);
  assert.is(remainingAt(2, "09:30"), 1);
  assert.is(remainingAt(2, "11:00"), 3);
  assert.is(remainingAt(3, "10:00"), undefined);
  assert.is(remainingAt(3, "09:30"), undefined);
});

offered("buffers around bookings remove the neighbouring slots too", () => {
  const booking: [number, number] = [instantOf("2027-03-01 10:00"), instantOf("2027-03-01 11:00")];
  const freeMorning = (rules: CalendarRules) => {
    const occupancy = occupancyOf(rules, [booking]);
    const slots = availableSlots(rules, query({ occupancy, toMs: instantOf("2027-03-01 12:00") }));
    return wallsOf(slots);
  };
  assert.equal(freeMorning(calendar()), ["09:00", "11:00", "11:30"]);
  const buffered = calendar({ bufferBeforeMinutes: 15, bufferAfterMinutes: 15 });
  assert.equal(freeMorning(buffered), ["11:30"]);
});

offered("minimum notice hides slots starting too soon after now", () => {
  const nowMs = instantOf("2027-03-01 09:10");
  const slots = availableSlots(
    calendar({ minNoticeMinutes: 60 }),
    query({ nowMs, fromMs: instantOf("2027-03-01 00:00"), toMs: instantOf("2027-03-01 12:00") }),
  );
  assert.equal(wallsOf(slots), ["10:30", "11:00", "11:30"]);
});

offered("the horizon hides slots starting horizonDays or more after now", () => {
  const nowMs = instantOf("2027-03-01 10:10");
  const slots = availableSlots(calendar({ horizonDays: 2 }), query({ nowMs }));
  const dates = new Set(slots.map((slot) => localDateOf(slot.start, berlin)));
  assert.equal([...dates], ["2027-03-01", "2027-03-02", "2027-03-03"]);
  assert.is(slots.at(-1)!.start, instantOf("2027-03-03 10:00"));
});

offered("a day holding maxBookingsPerDay offers nothing more", () => {
  const rules = calendar({ maxBookingsPerDay: 2 });
  const bookingsPerDay = new Map([
    ["2027-03-01", 2],
    ["2027-03-02", 1],
  ]);
  const slots = availableSlots(rules, query({ bookingsPerDay }));
  const dates = new Set(slots.map((slot) => localDateOf(slot.start, berlin)));
  assert.equal([...dates], ["2027-03-02", "2027-03-03", "2027-03-04", "2027-03-05"]);
});

const starts = suite("domain: checking a requested start");

starts("each problem is reported, the earliest check first", () => {
  const rules = calendar({ minNoticeMinutes: 60, horizonDays: 30, maxBookingsPerDay: 3 });
  const nowMs = instantOf("2027-03-01 08:15");
  const full = new Map([["2027-03-02", 3]]);
  const check = (wall: string, duration = 60) =>
    checkSlotStart(rules, duration, instantOf(wall), nowMs, full);
  assert.is(check("2027-03-01 08:10"), "in_the_past");
  assert.is(check("2027-03-01 09:00"), "too_soon");
  // The horizon counts 24-hour days: after the spring change it ends at 09:15 local.
  assert.is(check("2027-03-31 09:00"), undefined);
  assert.is(check("2027-03-31 09:30"), "beyond_horizon");
  assert.is(check("2027-03-03 09:10"), "off_grid");
  assert.is(check("2027-03-03 16:30"), "off_grid");
  assert.is(check("2027-03-06 10:00"), "off_grid");
  assert.is(check("2027-03-02 09:30"), "day_full");
  assert.is(check("2027-03-03 09:30"), undefined);
  assert.is(check("2027-03-03 16:30", 30), undefined);
});

starts("the second occurrence of a repeated time is off the grid", () => {
  const rules = openOnly(berlin, "2027-10-31", [["01:00", "04:00"]]);
  const nowMs = instantOf("2027-10-01 00:00");
  const check = (iso: string) => checkSlotStart(rules, 30, Date.parse(iso), nowMs, new Map());
  assert.is(check("2027-10-31T02:00:00+02:00"), undefined);
  assert.is(check("2027-10-31T02:00:00+01:00"), "off_grid");
});

// Properties: zones with whole-hour, half-hour and no daylight saving, dates in 2026–2029.
const zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];
const firstDay = Date.UTC(2026, 0, 1);
const dayCount = (Date.UTC(2030, 0, 1) - firstDay) / dayMs;

function isoDateOf(midnight: number): string {
  return new Date(midnight).toISOString().slice(0, 10);
}

/** True when `zone` uses one offset for all of `date`. */
function isSteadyDate(zone: string, date: string): boolean {
  const start = DateTime.fromISO(date, { zone });
  return start.hour === 0 && start.offset === start.plus({ days: 1 }).offset;
}

/** The dates of 2026–2029 on which `zone` changes offset. */
function changeDates(zone: string): string[] {
  const dates: string[] = [];
  for (let day = 0; day < dayCount; day++) {
    const date = isoDateOf(firstDay + day * dayMs);
    if (!isSteadyDate(zone, date)) dates.push(date);
  }
  return dates;
}

const zoneDates = zones.flatMap((zone) => changeDates(zone).map((date) => ({ zone, date })));

const anyDay = fc.record({
  zone: fc.constantFrom(...zones),
  date: fc.integer({ min: 0, max: dayCount - 1 }).map((day) => isoDateOf(firstDay + day * dayMs)),
});
/** Half the runs land on a date with a daylight-saving change. */
const dayOrChangeDay = fc.oneof(anyDay, fc.constantFrom(...zoneDates));

const opening = fc
  .record({
    interval: fc.constantFrom(5, 10, 15, 20, 30, 60),
    duration: fc.integer({ min: 1, max: 24 }).map((steps) => steps * 5),
    startWall: fc.integer({ min: 0, max: 287 }).map((steps) => steps * 5),
    length: fc.integer({ min: 1, max: 288 }).map((steps) => steps * 5),
  })
  .map((o) => ({ ...o, endWall: Math.min(o.startWall + o.length, 1440) }));

function hhmm(minutes: number): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** How luxon reads `wall` minutes into `date` in `zone`; 1440 is the next 00:00. */
function readWithLuxon(zone: string, date: string, wall: number) {
  const target = DateTime.fromISO(`${date}T00:00`, { zone: "UTC" }).plus({ minutes: wall });
  const { year, month, day, hour, minute } = target;
  const resolved = DateTime.fromObject({ year, month, day, hour, minute }, { zone });
  // luxon shifts a skipped time forward; a repeated one comes back at either occurrence.
  const exists = resolved.hour === hour && resolved.minute === minute;
  const first = Math.min(...resolved.getPossibleOffsets().map((dt) => dt.toMillis()));
  return { exists, first, shifted: resolved.toMillis() };
}

const runs = { numRuns: 200 };

const properties = suite("domain: availability properties");

properties("every candidate sits a whole number of intervals into its range, by wall clock", () => {
  fc.assert(
    fc.property(dayOrChangeDay, opening, ({ zone, date }, o) => {
      const rules = openOnly(zone, date, [[hhmm(o.startWall), hhmm(o.endWall)]], o.interval);
      const end = readWithLuxon(zone, date, o.endWall);
      for (const slot of slotsAround(rules, o.duration, date)) {
        const local = DateTime.fromMillis(slot.start, { zone });
        const wall = local.hour * 60 + local.minute;
        assert.is(local.toISODate(), date);
        assert.ok(wall >= o.startWall && wall < o.endWall, `${wall} outside the range`);
        assert.is((wall - o.startWall) % o.interval, 0);
        assert.is(slot.end - slot.start, o.duration * minuteMs);
        assert.ok(slot.end <= (end.exists ? end.first : end.shifted), "slot ends after closing");
      }
    }),
    runs,
  );
});

properties(
  "candidates are exactly the existing wall-clock steps that fit, as luxon reads them",
  () => {
    fc.assert(
      fc.property(dayOrChangeDay, opening, ({ zone, date }, o) => {
        const end = readWithLuxon(zone, date, o.endWall);
        // A closing time inside a skipped hour is checked by the example tests instead.
        if (!end.exists) return;
        const expected: number[] = [];
        for (let wall = o.startWall; wall < o.endWall; wall += o.interval) {
          const start = readWithLuxon(zone, date, wall);
          if (start.exists && start.first + o.duration * minuteMs <= end.first) {
            expected.push(start.first);
          }
        }
        const rules = openOnly(zone, date, [[hhmm(o.startWall), hhmm(o.endWall)]], o.interval);
        const actual = slotsAround(rules, o.duration, date).map((slot) => slot.start);
        assert.equal(actual, expected);
      }),
      runs,
    );
  },
);

properties("candidate starts strictly increase, also over several days and ranges", () => {
  fc.assert(
    fc.property(dayOrChangeDay, opening, opening, ({ zone, date }, a, b) => {
      const ranges: TimeRange[] = [
        [hhmm(a.startWall), hhmm(a.endWall)],
        [hhmm(b.startWall), hhmm(b.endWall)],
      ];
      const weeklyHours = { mon: ranges, tue: ranges, wed: ranges, thu: ranges, fri: ranges };
      const rules = calendar({ timezone: zone, weeklyHours, slotIntervalMinutes: a.interval });
      const from = Date.parse(`${date}T00:00:00Z`) - 3 * dayMs;
      const starts = candidateSlots(rules, a.duration, from, from + 7 * dayMs).map((s) => s.start);
      starts.forEach((start, index) => index === 0 || assert.ok(start > starts[index - 1]!));
    }),
    runs,
  );
});

properties("every start is a wall time that exists, and its first occurrence", () => {
  fc.assert(
    fc.property(dayOrChangeDay, opening, ({ zone, date }, o) => {
      const rules = openOnly(zone, date, [[hhmm(o.startWall), hhmm(o.endWall)]], o.interval);
      for (const slot of slotsAround(rules, o.duration, date)) {
        const local = DateTime.fromMillis(slot.start, { zone });
        const wall = local.hour * 60 + local.minute;
        const back = readWithLuxon(zone, date, wall);
        assert.ok(back.exists);
        assert.is(back.first, slot.start);
      }
    }),
    runs,
  );
});

properties("on a date without a change the count is the arithmetic one", () => {
  fc.assert(
    fc.property(anyDay, opening, ({ zone, date }, o) => {
      if (!isSteadyDate(zone, date)) return;
      const rules = openOnly(zone, date, [[hhmm(o.startWall), hhmm(o.endWall)]], o.interval);
      const length = o.endWall - o.startWall;
      const expected =
        o.duration <= length ? Math.floor((length - o.duration) / o.interval) + 1 : 0;
      assert.is(slotsAround(rules, o.duration, date).length, expected);
    }),
    runs,
  );
});

properties("occupied cells cover the buffered interval exactly", () => {
  const reservation = fc.record({
    start: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2030, 0, 1) }),
    length: fc.integer({ min: 1, max: 4 * 3_600_000 }),
    bufferBeforeMinutes: fc.integer({ min: 0, max: 60 }),
    bufferAfterMinutes: fc.integer({ min: 0, max: 60 }),
  });
  fc.assert(
    fc.property(reservation, (r) => {
      const cells = occupiedCells(r, r.start, r.start + r.length);
      const from = r.start - r.bufferBeforeMinutes * minuteMs;
      const to = r.start + r.length + r.bufferAfterMinutes * minuteMs;
      assert.ok(cells.every((cell) => cell % cellMs === 0));
      assert.ok(cells[0]! <= from && from < cells[0]! + cellMs);
      assert.ok(cells.at(-1)! < to && to <= cells.at(-1)! + cellMs);
      cells.forEach((cell, index) => index === 0 || assert.is(cell - cells[index - 1]!, cellMs));
    }),
    runs,
  );
});

properties("available slots are the candidates that pass every rule, with their free seats", () => {
  const weekday: TimeRange[] = [
    ["08:00", "12:00"],
    ["13:30", "18:00"],
  ];
  const splitHours = { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday };
  const situation = fc.record({
    nowOffset: fc.integer({ min: 0, max: 3 * 24 * 60 }),
    minNoticeMinutes: fc.integer({ min: 0, max: 24 * 60 }),
    horizonDays: fc.integer({ min: 1, max: 10 }),
    capacity: fc.integer({ min: 1, max: 3 }),
    maxBookingsPerDay: fc.option(fc.integer({ min: 1, max: 3 }), { nil: null }),
    buffer: fc.integer({ min: 0, max: 30 }),
    bookings: fc.array(fc.integer({ min: 0, max: 10 * 24 * 12 }), { maxLength: 40 }),
  });
  fc.assert(
    fc.property(dayOrChangeDay, situation, ({ zone, date }, s) => {
      const rules = calendar({
        timezone: zone,
        weeklyHours: splitHours,
        minNoticeMinutes: s.minNoticeMinutes,
        horizonDays: s.horizonDays,
        capacity: s.capacity,
        maxBookingsPerDay: s.maxBookingsPerDay,
        bufferBeforeMinutes: s.buffer,
        bufferAfterMinutes: s.buffer,
      });
      const fromMs = Date.parse(`${date}T00:00:00Z`);
      const nowMs = fromMs + s.nowOffset * minuteMs;
      const reservations = s.bookings.map((cell): [number, number] => {
        const start = fromMs + cell * cellMs;
        return [start, start + 30 * minuteMs];
      });
      const occupancy = occupancyOf(rules, reservations);
      const bookingsPerDay = new Map<string, number>();
      for (const [start] of reservations) {
        const day = localDateOf(start, zone);
        bookingsPerDay.set(day, (bookingsPerDay.get(day) ?? 0) + 1);
      }
      const q = { durationMinutes: 60, fromMs, toMs: fromMs + 10 * dayMs, nowMs };
      const expected = candidateSlots(rules, 60, q.fromMs, q.toMs)
        .filter(
          (slot) => checkSlotStart(rules, 60, slot.start, nowMs, bookingsPerDay) === undefined,
        )
        .map((slot) => ({
          ...slot,
          remaining: remainingSeats(rules, occupancy, slot.start, slot.end),
        }))
        .filter((slot) => slot.remaining >= 1);
      assert.equal(availableSlots(rules, { ...q, occupancy, bookingsPerDay }), expected);
    }),
    runs,
  );
});

hours.run();
daylight.run();
cells.run();
offered.run();
starts.run();
properties.run();
