import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { checkSlotStart, type CalendarRules } from "../../src/domain/availability.js";
import { SlotMemo } from "../../src/engine/slot-memo.js";

const memo = suite("engine: slot memo");

const zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];

function rulesIn(timezone: string, interval: number, maxPerDay: number | null): CalendarRules {
  const hours: [string, string][] = [
    ["08:00", "12:00"],
    ["13:00", "19:30"],
  ];
  return {
    timezone,
    weeklyHours: {
      mon: hours,
      tue: hours,
      wed: hours,
      thu: hours,
      fri: hours,
      sat: [["00:00", "24:00"]],
    },
    dateOverrides: [{ date: "2027-03-30", closed: true }],
    slotIntervalMinutes: interval,
    bufferBeforeMinutes: 0,
    bufferAfterMinutes: 0,
    minNoticeMinutes: 60,
    horizonDays: 400,
    capacity: 1,
    maxBookingsPerDay: maxPerDay,
  };
}

memo("answers exactly as the domain's checkSlotStart does", () => {
  const now = Date.UTC(2027, 0, 1);
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.constantFrom(5, 15, 30, 60),
      fc.constantFrom(15, 30, 45, 90),
      fc.integer({ min: -2 * 24 * 12, max: 420 * 24 * 12 }),
      fc.constantFrom(null, 1, 3),
      (zone, interval, duration, fiveMinuteSteps, maxPerDay) => {
        const rules = rulesIn(zone, interval, maxPerDay);
        const start = now + fiveMinuteSteps * 300_000;
        const perDay = new Map([
          ["2027-03-29", 3],
          ["2027-10-31", 1],
        ]);
        const remembered = new SlotMemo(rules);
        const first = remembered.check(duration, start, now, perDay);
        assert.is(first, checkSlotStart(rules, duration, start, now, perDay));
        assert.is(remembered.check(duration, start, now, perDay), first);
      },
    ),
    { numRuns: 400 },
  );
});

memo.run();
