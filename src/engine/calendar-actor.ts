import type { Knex } from "@mikro-orm/knex";
import {
  isActorError,
  type Actor,
  type ActorContext,
  type ActorKind,
  type FiredTimer,
  type Outcome,
} from "../../actors/index.js";
import { errors } from "../domain/app-error.js";
import { occupiedCells } from "../domain/availability.js";
import { isWebhookEventType } from "../domain/webhook-events.js";
import type { Database } from "../store/database.js";
import { idPrefixes, newId } from "../store/ids.js";
import { outboxRow } from "../store/outbox-rows.js";
import { knexOf } from "./knex-access.js";
import { commitPlan, WritePlan } from "./calendar-writes.js";
import {
  addBooking,
  bookingOf,
  countDay,
  loadCalendarState,
  type CalendarState,
  type LiveBooking,
  type LiveHold,
  type OfferedService,
} from "./calendar-state.js";
import type { ChangeFeed, ChangedSlot, DomainEvent } from "./change-feed.js";
import { viewBooking, viewHold, type BookingView } from "./booking-view.js";
import type { CellSeat } from "./seat-map.js";
import { SlotMemo } from "./slot-memo.js";

/** A customer as a booking names them. */
export interface CustomerInput {
  name: string;
  email: string;
  phone?: string | undefined;
}

/** What a calendar actor understands. Times are ms since the epoch. */
export type CalendarMessage =
  | { op: "availability"; tenantId: string; serviceId?: string; fromMs: number; toMs: number }
  | { op: "hold"; tenantId: string; serviceId: string; startMs: number }
  | {
      op: "book";
      tenantId: string;
      bookingId: string;
      serviceId: string;
      startMs: number;
      holdId?: string | undefined;
      customer: CustomerInput;
      /** The protocol the booking is made over, kept for analytics. */
      source?: string | undefined;
      /** The paid prepayment this booking is for; a service that requires one needs it. */
      paymentId?: string | undefined;
    }
  | { op: "release"; tenantId: string; holdId: string }
  | { op: "cancel"; tenantId: string; bookingId: string }
  | { op: "reschedule"; tenantId: string; bookingId: string; startMs: number }
  | { op: "no_show"; tenantId: string; bookingId: string }
  | { op: "reload"; tenantId: string }
  /** The holder's socket went away: the hold now ends `graceMs` from now, or at its TTL. */
  | { op: "detach"; tenantId: string; holdId: string; graceMs: number }
  /** The holder's socket came back within the grace: the hold ends at its TTL again. */
  | { op: "attach"; tenantId: string; holdId: string }
  /** The customer went to pay: the hold lasts until at least `untilMs`, socket or not. */
  | { op: "checkout"; tenantId: string; holdId: string; untilMs: number };

/** Bookings the tenant actor allows a turn to make, out of those asked for. */
export interface QuotaReservation {
  granted: number;
  reservationId: string;
  /** The plan's monthly limit (−1 = unlimited), for the error message. */
  limit: number;
  /** How many were asked for (set by the calendar actor). */
  wanted?: number;
}

const noQuota = { granted: 0, wanted: 0, reservationId: "", limit: 0 };

/** Asks the tenant actor for booking quota; returns how many of `count` may be made. */
export type QuotaClient = {
  reserve(tenantId: string, count: number): Promise<QuotaReservation>;
  settle(tenantId: string, reservationId: string, used: number): Promise<void>;
};

/** What calendar actors need from the engine. */
export interface CalendarDeps {
  db: Database;
  feed: ChangeFeed;
  quota: QuotaClient;
}

/** Actors `calendar:<calendarId>`: every hold and booking of one calendar, serialized. */
export function calendarActorKind(deps: CalendarDeps): ActorKind<CalendarMessage, unknown> {
  const knex = knexOf(deps.db);
  const mysql = deps.db.target.dialect === "mysql";
  return {
    kind: "calendar",
    create: (context) => new CalendarActor(context, deps, knex, mysql),
  };
}

/** One turn's bookkeeping: the writes, how to undo them in memory, and what to announce. */
interface Turn {
  plan: WritePlan;
  undo: (() => void)[];
  events: DomainEvent[];
  affected: { startMs: number; endMs: number }[];
  quotaLeft: number;
  quotaUsed: number;
  /** The tenant actor granted fewer bookings than asked: the plan's limit is reached. */
  quotaLimited: boolean;
  reload: boolean;
}

/** Outbox rows of a turn's events, keyed by their booking or hold so each keeps its order. */
function outboxRowsOf(events: readonly DomainEvent[]) {
  return events
    .filter((event) => isWebhookEventType(event.type))
    .map((event) =>
      outboxRow({
        id: newId(idPrefixes.outboxEvent),
        tenantId: event.tenantId,
        orderingKey: String(event.data["id"]),
        type: event.type,
        data: event.data,
        atMs: event.atMs,
      }),
    );
}

/** A booking that became possible within the turn, after quota was asked for the others. */
const quotaNeeded = new Error("quota needed");

const expiryTimer = (holdId: string) => `expire:${holdId}`;
const reminderTimer = (bookingId: string) => `remind:${bookingId}`;

class CalendarActor implements Actor<CalendarMessage, unknown> {
  private state!: CalendarState;
  private memo!: SlotMemo;
  /** The calendar does not exist (or was retired): every message is a 404. */
  private missing = false;

  constructor(
    private readonly context: ActorContext,
    private readonly deps: CalendarDeps,
    private readonly knex: Knex,
    private readonly mysql: boolean,
  ) {}

  async onActivate(): Promise<void> {
    const state = await loadCalendarState(this.knex, this.context.id);
    if (!state) {
      this.missing = true;
      return;
    }
    this.memo = new SlotMemo(state.rules);
    this.adopt(state);
  }

  /** Takes a freshly loaded state as the actor's memory, wired to the slot memo. */
  private adopt(state: CalendarState): void {
    this.state = state;
    state.dateOf = (ms) => this.memo.localDate(ms);
    state.countChanged = (ms) => this.memo.touch(ms);
    state.seats.onChange = (cell) => this.memo.touch(cell);
  }

  async onMessages(batch: readonly CalendarMessage[]): Promise<Outcome<unknown>[]> {
    if (this.missing) {
      return batch.map(() => ({ ok: false, error: errors.notFound("calendar", this.context.id) }));
    }
    if (batch.some((message) => message.op === "reload")) await this.reloadSettings();
    await this.loadOlderBookings(batch);
    const quota = await this.reserveQuota(batch);
    const turn = this.newTurn(quota);
    const outcomes = batch.map((message) => this.attempt(message, turn));
    const committed = await this.commit(turn);
    if (!committed) return this.oneByOne(batch, quota);
    await this.settleQuota(quota.reservationId, turn.quotaUsed);
    await this.retryWithQuota(batch, outcomes);
    return outcomes;
  }

  /** Bookings freed up within the turn get their own quota and a turn of their own. */
  private async retryWithQuota(batch: readonly CalendarMessage[], outcomes: Outcome<unknown>[]) {
    const waiting = outcomes.flatMap((outcome, i) =>
      !outcome.ok && outcome.error === quotaNeeded ? [i] : [],
    );
    if (waiting.length === 0) return;
    const again = await this.oneByOne(
      waiting.map((i) => batch[i]!),
      undefined,
    );
    waiting.forEach((index, k) => (outcomes[index] = again[k]!));
  }

  async onTimer(timer: FiredTimer): Promise<void> {
    if (this.missing) return;
    const reminder = timer.payload as { remind?: string; startMs?: number } | null;
    if (reminder?.remind) return this.remind(reminder.remind, Number(reminder.startMs));
    const holdId = (timer.payload as { holdId?: string } | null)?.holdId;
    const hold = holdId ? this.state.holds.get(holdId) : undefined;
    if (!hold || hold.expiresAtMs > Date.now()) return;
    const turn = this.newTurn(noQuota);
    this.dropHold(turn, hold.id, "expired", false);
    if (!(await this.commit(turn))) throw new Error(`could not expire hold ${hold.id}`);
  }

  /**
   * A booking's reminder fell due: one `booking.reminder` outbox event, unless the booking was
   * cancelled or moved since (its new time has its own timer). The event's id is made from the
   * booking and its start, so a timer fired twice (at least once, across crashes) writes once.
   */
  private async remind(bookingId: string, startMs: number): Promise<void> {
    const booking = this.state.bookings.get(bookingId);
    if (!booking || booking.status !== "confirmed" || booking.startMs !== startMs) return;
    const id = `evt_remind_${bookingId}_${startMs}`;
    if (await this.knex("outbox_events").where({ id }).first("seq")) return;
    const turn = this.newTurn(noQuota);
    turn.plan.outbox.push(
      outboxRow({
        id,
        tenantId: this.state.tenantId,
        orderingKey: bookingId,
        type: "booking.reminder",
        data: {
          ...viewBooking(this.state, booking),
          reminderMinutesBefore: this.state.reminderMinutes,
        },
        atMs: Date.now(),
      }),
    );
    if (!(await this.commit(turn)))
      throw new Error(`could not record the reminder of ${bookingId}`);
  }

  /** Sets (or moves) the booking's reminder timer when the tenant wants reminders. */
  private scheduleReminder(turn: Turn, booking: LiveBooking): void {
    const minutes = this.state.reminderMinutes;
    if (!minutes) return;
    const dueAt = booking.startMs - minutes * 60_000;
    if (dueAt <= Date.now()) return;
    turn.plan.timers.push({
      key: this.context.key,
      timerId: reminderTimer(booking.id),
      shard: this.context.shard,
      dueAt,
      payload: { remind: booking.id, startMs: booking.startMs },
    });
  }

  private newTurn(quota: QuotaReservation): Turn {
    const plan = new WritePlan(this.state.tenantId, this.state.calendarId);
    const quotaLimited = quota.granted < (quota.wanted ?? 0);
    const quotaLeft = quota.granted;
    const fresh = { undo: [], events: [], affected: [], quotaUsed: 0, reload: false };
    return { plan, ...fresh, quotaLeft, quotaLimited };
  }

  private attempt(message: CalendarMessage, turn: Turn): Outcome<unknown> {
    try {
      if (message.tenantId !== this.state.tenantId)
        throw errors.notFound("calendar", this.context.id);
      return { ok: true, value: this.apply(message, turn) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private apply(message: CalendarMessage, turn: Turn): unknown {
    switch (message.op) {
      case "availability":
        return this.availability(message);
      case "hold":
        return this.hold(message, turn);
      case "book":
        return this.book(message, turn);
      case "release":
        return this.release(message.holdId, turn);
      case "cancel":
        return this.cancel(message.bookingId, turn);
      case "reschedule":
        return this.reschedule(message.bookingId, message.startMs, turn);
      case "no_show":
        return this.markNoShow(message.bookingId, turn);
      case "reload":
        return this.reload(turn);
      case "detach":
        return this.detach(message.holdId, message.graceMs, turn);
      case "attach":
        return this.attach(message.holdId, turn);
      case "checkout":
        return this.keepForCheckout(message.holdId, message.untilMs, turn);
    }
  }

  private availability(message: Extract<CalendarMessage, { op: "availability" }>) {
    const { rules, seats, bookingsPerDay, version, calendarId } = this.state;
    const service = message.serviceId
      ? this.offered(message.serviceId)
      : this.state.services.values().next().value;
    const slots = this.memo.available(version, {
      durationMinutes: service?.durationMinutes ?? rules.slotIntervalMinutes,
      fromMs: message.fromMs,
      toMs: message.toMs,
      nowMs: Date.now(),
      occupancy: seats.occupancy,
      bookingsPerDay,
    });
    return { calendarId, serviceId: service?.id, timezone: rules.timezone, version, slots };
  }

  private hold(message: Extract<CalendarMessage, { op: "hold" }>, turn: Turn) {
    const service = this.offered(message.serviceId);
    const endMs = message.startMs + service.durationMinutes * 60_000;
    const seats = this.takeSeats(message.startMs, endMs, service.durationMinutes);
    const now = Date.now();
    const hold = {
      id: newId(idPrefixes.hold),
      serviceId: message.serviceId,
      startMs: message.startMs,
      endMs,
      expiresAtMs: now + this.state.holdTtlSeconds * 1000,
      seats,
    };
    this.state.seats.claim(seats, hold.id);
    this.state.holds.set(hold.id, hold);
    turn.undo.push(() => {
      this.state.seats.free(seats);
      this.state.holds.delete(hold.id);
    });
    turn.plan.claim(seats, "hold", hold.id);
    turn.plan.holds.push({
      id: hold.id,
      tenant_id: this.state.tenantId,
      calendar_id: this.state.calendarId,
      service_id: hold.serviceId,
      start_ms: hold.startMs,
      end_ms: endMs,
      expires_at_ms: hold.expiresAtMs,
      status: "active",
      created_at_ms: now,
    });
    const timerId = expiryTimer(hold.id);
    const timer = {
      key: this.context.key,
      timerId,
      shard: this.context.shard,
      dueAt: hold.expiresAtMs,
    };
    turn.plan.timers.push({ ...timer, payload: { holdId: hold.id } });
    const view = viewHold(this.state, hold);
    this.announce(turn, "hold.created", hold, view);
    return view;
  }

  private book(message: Extract<CalendarMessage, { op: "book" }>, turn: Turn): BookingView {
    const existing = this.state.bookings.get(message.bookingId);
    if (existing) return this.replayBooking(existing, message);
    const service = this.offered(message.serviceId);
    if (service.requiresPrepayment && !message.paymentId) throw errors.paymentRequired(service.id);
    const endMs = message.startMs + service.durationMinutes * 60_000;
    const free = message.holdId
      ? undefined
      : this.takeSeats(message.startMs, endMs, service.durationMinutes);
    if (turn.quotaLeft <= 0) {
      if (turn.quotaLimited) throw errors.planLimitReached(this.quotaLimit);
      throw quotaNeeded;
    }
    const seats = free ?? this.convertHold(message.holdId!, message, turn);
    const now = Date.now();
    const booking: LiveBooking = {
      id: message.bookingId,
      serviceId: message.serviceId,
      startMs: message.startMs,
      endMs,
      status: "confirmed",
      customerName: message.customer.name,
      customerEmail: message.customer.email,
      customerPhone: message.customer.phone ?? null,
      priceCents: service.priceCents,
      currency: service.currency,
      holdId: message.holdId ?? null,
      createdAtMs: now,
      updatedAtMs: now,
      seats,
    };
    if (!message.holdId) {
      this.state.seats.claim(seats, booking.id);
      turn.undo.push(() => this.state.seats.free(seats));
      turn.plan.claim(seats, "booking", booking.id);
    }
    addBooking(this.state, booking);
    turn.undo.push(() => {
      this.state.bookings.delete(booking.id);
      countDay(this.state, booking.startMs, -1);
    });
    turn.quotaLeft--;
    turn.quotaUsed++;
    turn.plan.bookings.push({ ...bookingRow(this.state, booking), source: message.source ?? null });
    turn.plan.recordEvent(booking.id, null, "confirmed", { holdId: booking.holdId });
    this.scheduleReminder(turn, booking);
    return this.announceBooking(turn, "booking.created", booking);
  }

  private replayBooking(existing: LiveBooking, message: { startMs: number; serviceId: string }) {
    if (existing.startMs !== message.startMs || existing.serviceId !== message.serviceId) {
      throw errors.idempotencyKeyReused(existing.id);
    }
    return viewBooking(this.state, existing);
  }

  private convertHold(
    holdId: string,
    message: { startMs: number; serviceId: string; bookingId: string },
    turn: Turn,
  ): CellSeat[] {
    const hold = this.state.holds.get(holdId);
    if (!hold || hold.expiresAtMs <= Date.now()) throw errors.holdExpired(holdId);
    if (hold.startMs !== message.startMs || hold.serviceId !== message.serviceId) {
      throw errors.slotInvalid(
        iso(message.startMs),
        `hold ${holdId} is for another slot or service`,
      );
    }
    this.state.holds.delete(holdId);
    this.state.seats.reassign(hold.seats, message.bookingId);
    turn.undo.push(() => {
      this.state.holds.set(holdId, hold);
      this.state.seats.reassign(hold.seats, holdId);
    });
    turn.plan.reassigned.push({ from: holdId, to: message.bookingId });
    turn.plan.holdStatuses.push({ id: holdId, status: "converted" });
    turn.plan.cancelledTimers.push({ key: this.context.key, timerId: expiryTimer(holdId) });
    this.announce(turn, "hold.converted", hold, {
      id: holdId,
      status: "converted",
      bookingId: message.bookingId,
    });
    return hold.seats;
  }

  /** Picks up changed hours or services; every viewer refetches on the new version. */
  private async reloadSettings(): Promise<void> {
    const fresh = await loadCalendarState(this.knex, this.context.id);
    if (!fresh) throw errors.notFound("calendar", this.context.id);
    this.state.rules = fresh.rules;
    this.memo.reset(fresh.rules);
    this.state.services = fresh.services;
    this.state.holdTtlSeconds = fresh.holdTtlSeconds;
    this.state.reminderMinutes = fresh.reminderMinutes;
  }

  private reload(turn: Turn) {
    turn.reload = true;
    return { reloaded: true };
  }

  private release(holdId: string, turn: Turn) {
    const hold = this.state.holds.get(holdId);
    if (!hold) throw errors.notFound("hold", holdId);
    this.dropHold(turn, holdId, "released", true);
    return { id: holdId, status: "released" };
  }

  private dropHold(
    turn: Turn,
    holdId: string,
    status: "released" | "expired",
    cancelTimer: boolean,
  ) {
    const hold = this.state.holds.get(holdId)!;
    this.state.holds.delete(holdId);
    this.state.seats.free(hold.seats);
    turn.undo.push(() => {
      this.state.holds.set(holdId, hold);
      this.state.seats.claim(hold.seats, holdId);
    });
    turn.plan.releasedOwners.push(holdId);
    turn.plan.holdStatuses.push({ id: holdId, status });
    if (cancelTimer) {
      turn.plan.cancelledTimers.push({ key: this.context.key, timerId: expiryTimer(holdId) });
    }
    const type = status === "expired" ? "hold.expired" : "hold.released";
    this.announce(turn, type, hold, { id: holdId, status });
  }

  private detach(holdId: string, graceMs: number, turn: Turn) {
    const hold = this.state.holds.get(holdId);
    if (!hold) return { id: holdId, status: "gone" };
    if (hold.inCheckout) return viewHold(this.state, hold);
    const heldUntil = hold.heldUntilMs ?? hold.expiresAtMs;
    this.moveExpiry(turn, hold, Math.min(heldUntil, Date.now() + graceMs), heldUntil);
    return viewHold(this.state, hold);
  }

  private attach(holdId: string, turn: Turn) {
    const hold = this.state.holds.get(holdId);
    if (!hold || hold.expiresAtMs <= Date.now()) throw errors.holdExpired(holdId);
    if (hold.heldUntilMs !== undefined) this.moveExpiry(turn, hold, hold.heldUntilMs, undefined);
    return viewHold(this.state, hold);
  }

  private keepForCheckout(holdId: string, untilMs: number, turn: Turn) {
    const hold = this.state.holds.get(holdId);
    if (!hold || hold.expiresAtMs <= Date.now()) throw errors.holdExpired(holdId);
    hold.inCheckout = true;
    turn.undo.push(() => delete hold.inCheckout);
    const heldUntil = hold.heldUntilMs ?? hold.expiresAtMs;
    this.moveExpiry(turn, hold, Math.max(heldUntil, untilMs), undefined);
    return viewHold(this.state, hold);
  }

  /** Moves a hold's end (and its expiry timer); availability does not change. */
  private moveExpiry(turn: Turn, hold: LiveHold, expiresAtMs: number, heldUntilMs?: number) {
    const before = { expiresAtMs: hold.expiresAtMs, heldUntilMs: hold.heldUntilMs };
    hold.expiresAtMs = expiresAtMs;
    if (heldUntilMs === undefined) delete hold.heldUntilMs;
    else hold.heldUntilMs = heldUntilMs;
    turn.undo.push(() => Object.assign(hold, before));
    turn.plan.holdExpiries.push({ id: hold.id, expiresAtMs });
    turn.plan.timers.push({
      key: this.context.key,
      timerId: expiryTimer(hold.id),
      shard: this.context.shard,
      dueAt: expiresAtMs,
      payload: { holdId: hold.id },
    });
  }

  private cancel(bookingId: string, turn: Turn): BookingView {
    const booking = this.confirmedBooking(bookingId);
    this.state.seats.free(booking.seats);
    countDay(this.state, booking.startMs, -1);
    turn.undo.push(() => {
      this.state.seats.claim(booking.seats, booking.id);
      countDay(this.state, booking.startMs, 1);
    });
    turn.plan.releasedOwners.push(booking.id);
    turn.plan.cancelledTimers.push({ key: this.context.key, timerId: reminderTimer(booking.id) });
    return this.changeStatus(turn, booking, "cancelled", "booking.cancelled");
  }

  /** Moves a confirmed booking to a final status: in memory, in the plan, in its history. */
  private changeStatus(
    turn: Turn,
    booking: LiveBooking,
    status: "cancelled" | "no_show",
    type: "booking.cancelled" | "booking.no_show",
  ): BookingView {
    const before = { ...booking };
    booking.status = status;
    booking.updatedAtMs = Date.now();
    turn.undo.push(() => Object.assign(booking, before));
    turn.plan.bookingUpdates.push({
      id: booking.id,
      changes: { status, updated_at_ms: booking.updatedAtMs },
    });
    turn.plan.recordEvent(booking.id, before.status, status);
    return this.announceBooking(turn, type, booking);
  }

  /** Announces a booking change after commit and returns the booking's view. */
  private announceBooking(turn: Turn, type: DomainEvent["type"], booking: LiveBooking) {
    const view = viewBooking(this.state, booking);
    this.announce(turn, type, booking, view);
    return view;
  }

  private reschedule(bookingId: string, startMs: number, turn: Turn): BookingView {
    const booking = this.confirmedBooking(bookingId);
    const duration = (booking.endMs - booking.startMs) / 60_000;
    const endMs = startMs + duration * 60_000;
    // The booking's own seats count as free for its new time; both changes commit together.
    this.state.seats.free(booking.seats);
    let seats: CellSeat[];
    try {
      seats = this.takeSeats(startMs, endMs, duration);
    } catch (error) {
      this.state.seats.claim(booking.seats, booking.id);
      throw error;
    }
    const before = { ...booking };
    this.state.seats.claim(seats, booking.id);
    countDay(this.state, booking.startMs, -1);
    Object.assign(booking, { startMs, endMs, seats, updatedAtMs: Date.now() });
    countDay(this.state, startMs, 1);
    turn.undo.push(() => {
      this.state.seats.free(seats);
      countDay(this.state, startMs, -1);
      Object.assign(booking, before);
      this.state.seats.claim(before.seats, booking.id);
      countDay(this.state, before.startMs, 1);
    });
    turn.plan.releasedOwners.push(booking.id);
    turn.plan.claim(seats, "booking", booking.id);
    turn.plan.bookingUpdates.push({
      id: booking.id,
      changes: { start_ms: startMs, end_ms: endMs, updated_at_ms: booking.updatedAtMs },
    });
    turn.plan.recordEvent(booking.id, "confirmed", "confirmed", {
      rescheduledFrom: iso(before.startMs),
    });
    turn.affected.push({ startMs: before.startMs, endMs: before.endMs });
    // The timer of the old time is replaced (same id), or removed when the new one is too near.
    turn.plan.cancelledTimers.push({ key: this.context.key, timerId: reminderTimer(booking.id) });
    this.scheduleReminder(turn, booking);
    return this.announceBooking(turn, "booking.rescheduled", booking);
  }

  private markNoShow(bookingId: string, turn: Turn): BookingView {
    const booking = this.confirmedBooking(bookingId);
    if (booking.startMs > Date.now()) {
      throw errors.conflict(
        `booking ${bookingId} has not started yet; mark a no-show after its start`,
      );
    }
    return this.changeStatus(turn, booking, "no_show", "booking.no_show");
  }

  private offered(serviceId: string): OfferedService {
    const service = this.state.services.get(serviceId);
    if (!service) {
      throw errors.invalidInput([
        { path: "serviceId", message: `service ${serviceId} is not offered on this calendar` },
      ]);
    }
    return service;
  }

  private confirmedBooking(bookingId: string): LiveBooking {
    const booking = this.state.bookings.get(bookingId);
    if (!booking) throw errors.notFound("booking", bookingId);
    if (booking.status !== "confirmed") {
      throw errors.conflict(
        `booking ${bookingId} is ${booking.status}; only confirmed ones change`,
      );
    }
    return booking;
  }

  /** Seats for [start, end) or 409: the start must be bookable and every cell have a seat. */
  private takeSeats(startMs: number, endMs: number, durationMinutes: number): CellSeat[] {
    const { rules, seats, bookingsPerDay } = this.state;
    const problem = this.memo.check(durationMinutes, startMs, Date.now(), bookingsPerDay);
    if (problem === "day_full") throw errors.slotUnavailable(iso(startMs));
    if (problem) throw errors.slotInvalid(iso(startMs), slotProblemText[problem]);
    const found = seats.findSeats(occupiedCells(rules, startMs, endMs), rules.capacity);
    if (!found) throw errors.slotUnavailable(iso(startMs));
    return found;
  }

  private announce(
    turn: Turn,
    type: DomainEvent["type"],
    span: { startMs: number; endMs: number },
    data: object,
  ) {
    turn.affected.push({ startMs: span.startMs, endMs: span.endMs });
    const { tenantId, calendarId } = this.state;
    turn.events.push({ type, tenantId, calendarId, data: { ...data }, atMs: Date.now() });
  }

  /** Writes the turn in one transaction; false when it failed and memory was rolled back. */
  private async commit(turn: Turn): Promise<boolean> {
    if (turn.plan.isEmpty && !turn.reload) return true;
    // Only a change viewers can see moves the version; a hold's new end is not one.
    const visible = turn.affected.length > 0 || turn.reload;
    const version = this.state.version + (visible ? 1 : 0);
    const fence = { shard: this.context.shard, epoch: this.context.epoch };
    turn.plan.outbox.push(...outboxRowsOf(turn.events));
    try {
      await commitPlan(this.knex, turn.plan, fence, this.mysql, version);
    } catch (error) {
      for (const undo of turn.undo.reverse()) undo();
      this.memo.forgetAnswers();
      if (isActorError(error, "fenced")) throw error;
      this.context.log.warn({ err: error }, "group commit failed; retrying one by one");
      return false;
    }
    this.state.version = version;
    for (const timer of turn.plan.timers) {
      this.context.timers.track(timer.timerId, timer.dueAt, timer.payload);
    }
    if (visible) this.publish(turn, version);
    return true;
  }

  /**
   * Commits each message alone: after a failed group commit (state reloaded first, the
   * batch's quota reused), or for bookings that need quota of their own (`quota` undefined).
   */
  private async oneByOne(
    batch: readonly CalendarMessage[],
    given: QuotaReservation | undefined,
  ): Promise<Outcome<unknown>[]> {
    if (given) await this.reloadState();
    const quota = given ?? (await this.reserveQuota(batch));
    const outcomes: Outcome<unknown>[] = [];
    let used = 0;
    for (const message of batch) {
      const left = { ...quota, granted: quota.granted - used, wanted: (quota.wanted ?? 0) - used };
      const turn = this.newTurn(left);
      let outcome = this.attempt(message, turn);
      if (!outcome.ok && outcome.error === quotaNeeded) {
        outcome = {
          ok: false,
          error: errors.unavailable("the booking could not be metered; retry"),
        };
      }
      if (outcome.ok && !(await this.commit(turn))) {
        outcomes.push({ ok: false, error: errors.slotUnavailable(describe(message)) });
        await this.reloadState();
        continue;
      }
      used += turn.quotaUsed;
      outcomes.push(outcome);
    }
    await this.settleQuota(quota.reservationId, used);
    return outcomes;
  }

  private async reloadState(): Promise<void> {
    const fresh = await loadCalendarState(this.knex, this.context.id);
    if (!fresh) throw errors.notFound("calendar", this.context.id);
    this.memo.reset(fresh.rules);
    this.adopt(fresh);
  }

  private publish(turn: Turn, version: number): void {
    const { tenantId, calendarId } = this.state;
    const { affected, reload } = turn;
    const watched = this.deps.feed.listenerCount("availability") > 0;
    const services = watched && !reload ? this.changedSlots(affected) : [];
    this.deps.feed.emit("availability", {
      tenantId,
      calendarId,
      version,
      affected,
      services,
      reset: reload,
    });
    for (const event of turn.events) this.deps.feed.emit("event", event);
  }

  /** The slots of each offered service that the turn's changes can reach, as they are now. */
  private changedSlots(affected: readonly { startMs: number; endMs: number }[]) {
    const { rules, seats, bookingsPerDay, services } = this.state;
    const padMs = (rules.bufferBeforeMinutes + rules.bufferAfterMinutes) * 60_000;
    const nowMs = Date.now();
    const byLength = new Map<number, ChangedSlot[]>();
    const changed: { serviceId: string; slots: ChangedSlot[] }[] = [];
    for (const service of services.values()) {
      let slots = byLength.get(service.durationMinutes);
      if (!slots) {
        const lengthMs = service.durationMinutes * 60_000;
        const seen = new Map<number, ChangedSlot>();
        for (const span of affected) {
          const query = {
            durationMinutes: service.durationMinutes,
            fromMs: span.startMs - lengthMs - padMs + 1,
            toMs: span.endMs + padMs,
            nowMs,
            occupancy: seats.occupancy,
            bookingsPerDay,
          };
          for (const slot of this.memo.slotsAcross(query)) seen.set(slot.start, slot);
        }
        slots = [...seen.values()].sort((a, b) => a.start - b.start);
        byLength.set(service.durationMinutes, slots);
      }
      changed.push({ serviceId: service.id, slots });
    }
    return changed;
  }

  private quotaLimit = 0;

  private async reserveQuota(batch: readonly CalendarMessage[]): Promise<QuotaReservation> {
    const wanted = batch.filter((m) => m.op === "book" && this.mayBook(m)).length;
    if (wanted === 0) return { ...noQuota, limit: this.quotaLimit };
    const reserved = await this.deps.quota.reserve(this.state.tenantId, wanted);
    this.quotaLimit = reserved.limit;
    return { ...reserved, wanted };
  }

  /**
   * Whether a booking could go through as memory stands, so that quota is asked only for
   * those; the turn itself decides. Refusals on a contended slot then cost no message.
   */
  private mayBook(message: Extract<CalendarMessage, { op: "book" }>): boolean {
    if (this.state.bookings.has(message.bookingId)) return false;
    if (message.holdId) return true;
    const service = this.state.services.get(message.serviceId);
    if (!service) return false;
    const { rules, seats, bookingsPerDay } = this.state;
    const endMs = message.startMs + service.durationMinutes * 60_000;
    const problem = this.memo.check(
      service.durationMinutes,
      message.startMs,
      Date.now(),
      bookingsPerDay,
    );
    if (problem) return false;
    return (
      seats.findSeats(occupiedCells(rules, message.startMs, endMs), rules.capacity) !== undefined
    );
  }

  private async settleQuota(reservationId: string, used: number): Promise<void> {
    if (!reservationId) return;
    await this.deps.quota.settle(this.state.tenantId, reservationId, used).catch((err: unknown) => {
      this.context.log.warn({ err }, "quota settle failed; the reservation expires by itself");
    });
  }

  /** Bookings a message names that are older than what memory keeps are read first. */
  private async loadOlderBookings(batch: readonly CalendarMessage[]): Promise<void> {
    const ids = batch
      .filter((m) => m.op === "cancel" || m.op === "reschedule" || m.op === "no_show")
      .map((m) => (m as { bookingId: string }).bookingId)
      .filter((id) => !this.state.bookings.has(id));
    if (ids.length === 0) return;
    const rows = await this.knex("bookings")
      .where({ calendar_id: this.state.calendarId, tenant_id: this.state.tenantId })
      .whereIn("id", ids);
    const claims = await this.knex("slot_claims").whereIn("owner_id", ids);
    const seats = new Map<string, CellSeat[]>();
    for (const claim of claims) {
      const list = seats.get(claim.owner_id) ?? [];
      list.push([Number(claim.cell_start_ms), Number(claim.seat)]);
      seats.set(claim.owner_id, list);
    }
    for (const row of rows) this.state.bookings.set(row.id, bookingOf(row, seats));
  }
}

const slotProblemText = {
  off_grid: "not a start time of this calendar for this service",
  in_the_past: "the time has passed",
  too_soon: "inside the calendar's minimum notice",
  beyond_horizon: "beyond how far ahead the calendar takes bookings",
} as const;

function bookingRow(state: CalendarState, booking: LiveBooking) {
  return {
    id: booking.id,
    tenant_id: state.tenantId,
    calendar_id: state.calendarId,
    service_id: booking.serviceId,
    start_ms: booking.startMs,
    end_ms: booking.endMs,
    status: booking.status,
    customer_name: booking.customerName,
    customer_email: booking.customerEmail,
    customer_phone: booking.customerPhone,
    price_cents: booking.priceCents,
    currency: booking.currency,
    hold_id: booking.holdId,
    created_at_ms: booking.createdAtMs,
    updated_at_ms: booking.updatedAtMs,
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function describe(message: CalendarMessage): string {
  return "startMs" in message ? iso(message.startMs) : message.op;
}
