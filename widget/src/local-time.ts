/** A calendar month: `month` counts from 0 like Date's. */
export interface Month {
  year: number;
  month: number;
}

const keyFormats = new Map<string, Intl.DateTimeFormat>();

/** The day (`YYYY-MM-DD`) an instant falls on in a time zone. */
export function dayKeyOf(ms: number, timeZone: string): string {
  let format = keyFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    keyFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(ms).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** The month a day key belongs to. */
export function monthOf(dayKey: string): Month {
  const [year, month] = dayKey.split("-").map(Number);
  return { year: year!, month: month! - 1 };
}

/** The month after (or before, with a negative step) another. */
export function shiftMonth({ year, month }: Month, step: number): Month {
  const date = new Date(Date.UTC(year, month + step, 1));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() };
}

/** The day key of a day of a month. */
export function dayKey({ year, month }: Month, day: number): string {
  return `${year}-${String(month + 1).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** The number of days of a month. */
export function daysIn({ year, month }: Month): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}

/** 0 for Monday … 6 for Sunday: the column of a day in a week that starts on Monday. */
export function weekdayColumn(key: string): number {
  const [year, month, day] = key.split("-").map(Number);
  return (new Date(Date.UTC(year!, month! - 1, day!)).getUTCDay() + 6) % 7;
}

/** The day key some days away from another. */
export function addDays(key: string, days: number): string {
  const [year, month, day] = key.split("-").map(Number);
  return new Date(Date.UTC(year!, month! - 1, day! + days)).toISOString().slice(0, 10);
}

/**
 * The instants to ask availability for so that every day of a month in any time zone is
 * covered: from the month's first midnight minus 14 hours (no earlier than now) to the next
 * month's plus 14 hours.
 */
export function monthWindow({ year, month }: Month, now: number): { from: number; to: number } {
  const margin = 14 * 3_600_000;
  return {
    from: Math.max(now, Date.UTC(year, month, 1) - margin),
    to: Date.UTC(year, month + 1, 1) + margin,
  };
}

/** Formats instants and days for a locale in a time zone. */
export class TimeFormats {
  constructor(
    readonly locale: string,
    readonly timeZone: string,
  ) {}

  /** `14:30` or `2:30 PM`, as the locale writes it. */
  time(ms: number): string {
    return new Intl.DateTimeFormat(this.locale, {
      timeZone: this.timeZone,
      hour: "numeric",
      minute: "2-digit",
    }).format(ms);
  }

  /** A day written out: `Saturday, 5 December 2026`. */
  day(key: string): string {
    return new Intl.DateTimeFormat(this.locale, {
      timeZone: "UTC",
      weekday: "long",
      day: "numeric",
      month: "long",
      year: "numeric",
    }).format(Date.parse(`${key}T00:00:00Z`));
  }

  /** `December 2026`. */
  month({ year, month }: Month): string {
    return new Intl.DateTimeFormat(this.locale, {
      timeZone: "UTC",
      month: "long",
      year: "numeric",
    }).format(Date.UTC(year, month, 1));
  }

  /** Short weekday names from Monday. */
  weekdays(): { short: string; long: string }[] {
    const monday = Date.UTC(2024, 0, 1);
    return Array.from({ length: 7 }, (_, index) => {
      const at = monday + index * 86_400_000;
      const name = (weekday: "short" | "long") =>
        new Intl.DateTimeFormat(this.locale, { timeZone: "UTC", weekday }).format(at);
      return { short: name("short"), long: name("long") };
    });
  }

  /** An instant with its date, time and zone. */
  moment(ms: number): string {
    return new Intl.DateTimeFormat(this.locale, {
      timeZone: this.timeZone,
      dateStyle: "full",
      timeStyle: "short",
    }).format(ms);
  }
}

/** A time zone's name as the visitor reads it (`Central European Standard Time`). */
export function zoneLabel(timeZone: string, locale: string): string {
  try {
    const parts = new Intl.DateTimeFormat(locale, {
      timeZone,
      timeZoneName: "longGeneric",
    }).formatToParts(Date.now());
    const name = parts.find((part) => part.type === "timeZoneName")?.value;
    return name ? `${name} (${timeZone})` : timeZone;
  } catch {
    return timeZone;
  }
}
