// What the dashboard knows: calendar and service names, the week's bookings, holds in progress.
// Loaded over REST, then kept current by live events and by the answers to staff actions.

import { boardWindows, isWithin } from "./local-time.js";

/** Where a booking stands (as src/domain/booking-states.ts says). */
export const bookingStatuses = ["confirmed", "cancelled", "no_show"];

/** The dashboard's memory; every change goes through `applyBooking` or `applyHoldEvent`. */
export class BoardState {
  calendars = new Map();
  services = new Map();
  bookings = new Map();
  holds = new Map();
  /** Local midnight of the day the snapshot was taken; undefined until the first load. */
  dayStartMs = undefined;
  /** Changes that arrived while a snapshot was being fetched, replayed over it. */
  #waiting = undefined;

  /** From now until `finishLoad`, changes wait, so a slower snapshot cannot undo them. */
  beginLoad() {
    this.#waiting ??= [];
  }

  /** Takes a fresh snapshot, then replays the changes that arrived meanwhile. */
  finishLoad(snapshot, nowMs) {
    this.updateCatalog(snapshot);
    this.bookings = new Map(snapshot.bookings.map((booking) => [booking.id, booking]));
    this.holds = new Map(snapshot.holds.map((hold) => [hold.id, hold]));
    this.dayStartMs = boardWindows(nowMs).today.fromMs;
    this.abortLoad();
  }

  /** The load failed: keep what was known and apply the changes that waited. */
  abortLoad() {
    const waiting = this.#waiting ?? [];
    this.#waiting = undefined;
    for (const change of waiting) change();
  }

  /** Replaces the calendar and service names. */
  updateCatalog({ calendars, services }) {
    this.calendars = new Map(calendars.map((calendar) => [calendar.id, calendar]));
    this.services = new Map(services.map((service) => [service.id, service]));
  }

  /** A booking as the engine shows it now; an older copy than the one known is ignored. */
  applyBooking(booking) {
    if (this.#wait(() => this.applyBooking(booking))) return;
    const known = this.bookings.get(booking.id);
    if (known && Date.parse(known.updatedAt) > Date.parse(booking.updatedAt)) return;
    this.bookings.set(booking.id, booking);
    // A hold that becomes a booking is announced only as the booking: its hold ends here.
    if (booking.holdId) this.holds.delete(booking.holdId);
  }

  /** A `hold:update` event: created holds are added; released, expired or booked ones dropped. */
  applyHoldEvent(event) {
    if (this.#wait(() => this.applyHoldEvent(event))) return;
    if (event.type === "hold.created") this.holds.set(event.hold.id, event.hold);
    else this.holds.delete(event.hold.id);
  }

  /** Drops holds whose time is up; true when one went. */
  dropExpiredHolds(nowMs) {
    const before = this.holds.size;
    for (const [id, hold] of this.holds) {
      if (Date.parse(hold.expiresAt) <= nowMs) this.holds.delete(id);
    }
    return this.holds.size !== before;
  }

  /** True when names are missing for this calendar or service (made after the last load). */
  lacksNames(calendarId, serviceId) {
    return !this.calendars.has(calendarId) || (serviceId && !this.services.has(serviceId));
  }

  calendarName(id) {
    return this.calendars.get(id)?.name ?? id;
  }

  serviceName(id) {
    return this.services.get(id)?.name ?? id;
  }

  /** Bookings starting in `window`, grouped per calendar (by name), each group by start. */
  bookingsPerCalendar(window) {
    const groups = new Map();
    for (const booking of this.bookings.values()) {
      if (!isWithin(booking.start, window)) continue;
      const group = groups.get(booking.calendarId) ?? [];
      group.push(booking);
      groups.set(booking.calendarId, group);
    }
    const byStart = (a, b) => Date.parse(a.start) - Date.parse(b.start) || (a.id < b.id ? -1 : 1);
    return [...groups]
      .map(([calendarId, bookings]) => ({
        calendarId,
        name: this.calendarName(calendarId),
        bookings: bookings.sort(byStart),
      }))
      .sort((a, b) => a.name.localeCompare(b.name) || a.calendarId.localeCompare(b.calendarId));
  }

  /** Holds in progress, the one ending soonest first. */
  holdsInProgress(nowMs) {
    return [...this.holds.values()]
      .filter((hold) => Date.parse(hold.expiresAt) > nowMs)
      .sort((a, b) => Date.parse(a.expiresAt) - Date.parse(b.expiresAt));
  }

  /**
   * The counters: bookings (not cancelled) today and in the next 7 days, holds in progress,
   * and today's bookings that were cancelled.
   */
  counts(nowMs) {
    const { today, week } = boardWindows(nowMs);
    const counts = { today: 0, week: 0, holds: this.holdsInProgress(nowMs).length, cancelled: 0 };
    for (const booking of this.bookings.values()) {
      const isToday = isWithin(booking.start, today);
      if (booking.status === "cancelled") {
        if (isToday) counts.cancelled++;
        continue;
      }
      if (isToday) counts.today++;
      if (isWithin(booking.start, week)) counts.week++;
    }
    return counts;
  }

  #wait(change) {
    if (!this.#waiting) return false;
    this.#waiting.push(change);
    return true;
  }
}
