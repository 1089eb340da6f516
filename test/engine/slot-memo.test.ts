import fc from "fast-check";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  availableSlots,
  checkSlotStart,
  type CalendarRules,
} from "../../src/domain/availability.js";
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

memo("answers availability exactly as the domain's availableSlots does", () => {
  const now = Date.UTC(2027, 2, 20, 10, 7);
  let slotsCompared = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.constantFrom(5, 15, 30),
      fc.constantFrom(15, 30, 60),
      fc.constantFrom(null, 1, 2),
      fc.array(fc.integer({ min: 0, max: 14 * 24 * 12 }), { maxLength: 60 }),
      fc.integer({ min: -2 * 24 * 12, max: 3 * 24 * 12 }),
      (zone, interval, duration, maxPerDay, taken, offset) => {
        const rules = {
          ...rulesIn(zone, interval, maxPerDay),
          capacity: 2,
          bufferAfterMinutes: 10,
        };
        const occupancy = new Map<number, number>();
        for (const step of taken) {
          const cell = now - (now % 300_000) + step * 300_000;
          occupancy.set(cell, Math.min(2, (occupancy.get(cell) ?? 0) + 1));
        }
        const query = {
          durationMinutes: duration,
          fromMs: now + offset * 300_000,
          toMs: now + offset * 300_000 + 10 * 86_400_000,
          nowMs: now,
          occupancy,
          bookingsPerDay: new Map([
            ["2027-03-22", 2],
            ["2027-03-27", 1],
          ]),
        };
        const fromMemo = new SlotMemo(rules).available(1, query);
        assert.equal(fromMemo, availableSlots(rules, query));
        slotsCompared += fromMemo.length;
      },
    ),
    { numRuns: 300 },
  );
  assert.ok(slotsCompared > 10_000, `only ${slotsCompared} slots compared`);
});

memo("keeps answering as the domain does while seats and day counts change and are touched", () => {
  const now = Date.UTC(2027, 9, 28, 6, 3);
  let changes = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.constantFrom(15, 30),
      fc.constantFrom(null, 2),
      fc.array(
        fc.record({
          step: fc.integer({ min: 0, max: 8 * 24 * 12 }),
          cells: fc.integer({ min: 1, max: 30 }),
          take: fc.boolean(),
          countDay: fc.boolean(),
          duration: fc.constantFrom(30, 60, 240),
        }),
        { minLength: 1, maxLength: 25 },
      ),
      (zone, interval, maxPerDay, steps) => {
        const rules = {
          ...rulesIn(zone, interval, maxPerDay),
          capacity: 2,
          bufferBeforeMinutes: 5,
          bufferAfterMinutes: 15,
        };
        const occupancy = new Map<number, number>();
        const bookingsPerDay = new Map<string, number>();
        const remembered = new SlotMemo(rules);
        let version = 1;
        for (const change of steps) {
          const query = {
            durationMinutes: change.duration,
            fromMs: now,
            toMs: now + 8 * 86_400_000,
            nowMs: now,
            occupancy,
            bookingsPerDay,
          };
          assert.equal(remembered.available(version, query), availableSlots(rules, query));
          const first = now - (now % 300_000) + change.step * 300_000;
          for (let k = 0; k < change.cells; k++) {
            const cell = first + k * 300_000;
            const seats = (occupancy.get(cell) ?? 0) + (change.take ? 1 : -1);
            if (seats > 0) occupancy.set(cell, Math.min(2, seats));
            else occupancy.delete(cell);
          }
          remembered.touch(first);
          remembered.touch(first + (change.cells - 1) * 300_000);
          if (change.countDay) {
            const date = remembered.localDate(first);
            bookingsPerDay.set(date, (bookingsPerDay.get(date) ?? 0) + 1);
            remembered.touch(first);
          }
          version++;
          changes++;
        }
      },
    ),
    { numRuns: 120 },
  );
  assert.ok(changes > 500, `only ${changes} changes made`);
});

memo.run();
