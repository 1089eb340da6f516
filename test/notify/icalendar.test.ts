import fc from "fast-check";
import ICAL from "ical.js";
import { DateTime } from "luxon";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { icsDocument, type IcsEvent } from "../../src/notify/icalendar.js";

// The files are read back with ical.js, which knows no time zones of its own: it places the
// events only through the VTIMEZONE the file carries, so a wrong observance shows as a wrong
// instant.

const zones = ["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"];

function event(startMs: number, minutes: number, extra: Partial<IcsEvent> = {}): IcsEvent {
  return {
    uid: `bkg_${startMs}@vbwd`,
    startMs,
    endMs: startMs + minutes * 60_000,
    updatedMs: Date.UTC(2026, 11, 1),
    summary: "Consultation",
    status: "CONFIRMED",
    ...extra,
  };
}

/** Parses a file the way a client would: its own VTIMEZONE registered, then its events. */
function readBack(text: string) {
  ICAL.TimezoneService.reset();
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(zone);
  }
  return calendar.getAllSubcomponents("vevent").map((component) => new ICAL.Event(component));
}

test("09:00 local stays 09:00 local on both sides of every change of the four zones", () => {
  for (const zone of zones) {
    const events: IcsEvent[] = [];
    // Each day of 2027 at 09:00 local and at 02:30 local where that exists.
    for (let day = DateTime.fromISO("2027-01-01", { zone }); day.year === 2027;) {
      events.push(event(day.set({ hour: 9 }).toMillis(), 30));
      day = day.plus({ days: 1 });
    }
    const parsed = readBack(icsDocument({ timeZone: zone, events }));
    assert.is(parsed.length, events.length);
    parsed.forEach((read, index) => {
      const expected = events[index]!;
      assert.is(read.startDate.zone?.tzid, zone, `${zone}: placed through its VTIMEZONE`);
      assert.is(read.startDate.hour, 9, `${zone} ${new Date(expected.startMs).toISOString()}`);
      assert.is(read.startDate.toUnixTime() * 1000, expected.startMs, `${zone}: the instant`);
      assert.is(read.endDate.toUnixTime() * 1000, expected.endMs);
    });
  }
});

test("any instant in 2026–2030 reads back as the same instant in any of the zones", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...zones),
      fc.integer({ min: Date.UTC(2026, 0, 1) / 60_000, max: Date.UTC(2030, 11, 31) / 60_000 }),
      fc.integer({ min: 5, max: 600 }),
      (zone, startMinute, minutes) => {
        const made = event(startMinute * 60_000, minutes);
        const [read] = readBack(icsDocument({ timeZone: zone, events: [made] }));
        assert.is(read!.startDate.toUnixTime() * 1000, made.startMs);
        assert.is(read!.endDate.toUnixTime() * 1000, made.endMs);
      },
    ),
    { numRuns: 200 },
  );
});

test("a zone without changes still gets its offset; UTC stamps and UIDs are present", () => {
  const startMs = Date.UTC(2027, 5, 1, 4, 0);
  const text = icsDocument({ timeZone: "Asia/Kolkata", events: [event(startMs, 45)] });
  assert.match(text, /TZOFFSETTO:\+0530/);
  assert.match(text, /DTSTART;TZID=Asia\/Kolkata:20270601T093000/);
  const calendar = new ICAL.Component(ICAL.parse(text));
  const vevent = calendar.getFirstSubcomponent("vevent")!;
  assert.is(vevent.getFirstPropertyValue("uid"), `bkg_${startMs}@vbwd`);
  assert.ok(vevent.getFirstPropertyValue("dtstamp"), "DTSTAMP is required by RFC 5545");
  assert.is(calendar.getFirstPropertyValue("version"), "2.0");
  assert.ok(calendar.getFirstPropertyValue("prodid"));
});

test("text with separators, newlines and long non-Latin names survives; lines fold at 75 octets", () => {
  const summary = "Beratung; Frau Müller, 2. Termin\nbitte Unterlagen mitbringen — 予約 ".repeat(4);
  const attendee = { name: 'Zoë "Zo" Ångström-Łukasiewicz'.repeat(3), email: "zoe@example.org" };
  const text = icsDocument({
    timeZone: "Europe/Berlin",
    name: "Praxis, Raum 1; Nord",
    events: [event(Date.UTC(2027, 2, 28, 8), 30, { summary, attendee, location: "Raum 1" })],
  });
  for (const line of text.split("\r\n")) {
    assert.ok(Buffer.byteLength(line) <= 75, `longer than 75 octets: ${line}`);
  }
  assert.ok(text.endsWith("\r\n"));
  assert.not.match(text, /[^\r]\n/, "every line ends in CRLF");
  const [read] = readBack(text);
  assert.is(read!.summary, summary.replace(/\n/g, "\n"));
  assert.is(read!.location, "Raum 1");
  const calendar = new ICAL.Component(ICAL.parse(text));
  // ical.js leaves X- properties as it found them: the escaped text value.
  assert.is(calendar.getFirstPropertyValue("x-wr-calname"), "Praxis\\, Raum 1\\; Nord");
  const cn = calendar.getFirstSubcomponent("vevent")!.getFirstProperty("attendee")!;
  assert.is(cn.getParameter("cn"), attendee.name.replace(/"/g, ""));
});

test("a cancelled booking is marked CANCELLED and a feed asks to be refreshed", () => {
  const text = icsDocument({
    timeZone: "America/New_York",
    refreshMinutes: 15,
    events: [event(Date.UTC(2027, 10, 7, 14), 60, { status: "CANCELLED" })],
  });
  assert.match(text, /STATUS:CANCELLED/);
  assert.match(text, /REFRESH-INTERVAL;VALUE=DURATION:PT15M/);
  const [read] = readBack(text);
  // 2027-11-07 is New York's return to standard time: 14:00 UTC is 09:00 EST.
  assert.is(read!.startDate.hour, 9);
});

test("UTC calendars write UTC times and need no VTIMEZONE", () => {
  const text = icsDocument({ timeZone: "UTC", events: [event(Date.UTC(2027, 2, 28, 1, 30), 30)] });
  assert.match(text, /\r\nDTSTART:20270328T013000Z\r\n/);
  assert.not.match(text, /VTIMEZONE/);
  const [read] = readBack(text);
  assert.is(read!.startDate.toUnixTime() * 1000, Date.UTC(2027, 2, 28, 1, 30));
});

test.run();
