/** Days of the week as they key weekly hours, Monday first (ISO order). */
export const weekdays = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof weekdays)[number];

/** A local time range on one day, `["09:00", "12:30"]`, start before end. */
export type TimeRange = readonly [start: string, end: string];

/** Opening hours per weekday; a missing or empty day is closed. */
export type WeeklyHours = Partial<Record<Weekday, TimeRange[]>>;

/** Weekday hours 09:00–17:00, closed at the weekend. */
export const officeHours: WeeklyHours = {
  mon: [["09:00", "17:00"]],
  tue: [["09:00", "17:00"]],
  wed: [["09:00", "17:00"]],
  thu: [["09:00", "17:00"]],
  fri: [["09:00", "17:00"]],
};
