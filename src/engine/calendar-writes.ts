import type { Knex } from "@mikro-orm/knex";
import type { StoredTimer } from "../../actors/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import type { OutboxRow } from "../store/outbox-rows.js";
import { timerUpsert } from "./actor-timers.js";
import { insertChunks, writeFenced } from "./fenced-writes.js";
import type { CellSeat } from "./seat-map.js";
import type { ShardFence } from "./shard-epochs.js";

/** A booking row as written. */
export interface BookingRow {
  id: string;
  tenant_id: string;
  calendar_id: string;
  service_id: string;
  start_ms: number;
  end_ms: number;
  status: string;
  customer_name: string;
  customer_email: string;
  customer_phone: string | null;
  price_cents: number;
  currency: string;
  hold_id: string | null;
  /** The protocol the booking was made over; absent on updates. */
  source?: string | null;
  created_at_ms: number;
  updated_at_ms: number;
}

/** A hold row as written. */
export interface HoldRow {
  id: string;
  tenant_id: string;
  calendar_id: string;
  service_id: string;
  start_ms: number;
  end_ms: number;
  expires_at_ms: number;
  status: string;
  created_at_ms: number;
}

/**
 * Everything one turn of a calendar actor writes, gathered so that the whole group commits in
 * one transaction that first checks the shard's epoch.
 */
export class WritePlan {
  readonly claims: Record<string, unknown>[] = [];
  readonly releasedOwners: string[] = [];
  readonly reassigned: { from: string; to: string }[] = [];
  readonly holds: HoldRow[] = [];
  readonly holdStatuses: { id: string; status: string }[] = [];
  readonly holdExpiries: { id: string; expiresAtMs: number }[] = [];
  readonly bookings: BookingRow[] = [];
  readonly bookingUpdates: { id: string; changes: Partial<BookingRow> }[] = [];
  readonly events: Record<string, unknown>[] = [];
  /** Domain events for webhooks and messages, committed with the change they report. */
  readonly outbox: OutboxRow[] = [];
  readonly timers: StoredTimer[] = [];
  readonly cancelledTimers: { key: string; timerId: string }[] = [];

  constructor(
    readonly tenantId: string,
    readonly calendarId: string,
  ) {}

  /** True when the turn changed nothing. */
  get isEmpty(): boolean {
    return (
      this.claims.length +
        this.releasedOwners.length +
        this.reassigned.length +
        this.holds.length +
        this.holdStatuses.length +
        this.holdExpiries.length +
        this.bookings.length +
        this.bookingUpdates.length +
        this.outbox.length ===
      0
    );
  }

  claim(seats: readonly CellSeat[], ownerKind: "hold" | "booking", ownerId: string): void {
    for (const [cell, seat] of seats) {
      this.claims.push({
        calendar_id: this.calendarId,
        cell_start_ms: cell,
        seat,
        tenant_id: this.tenantId,
        owner_kind: ownerKind,
        owner_id: ownerId,
      });
    }
  }

  recordEvent(bookingId: string, from: string | null, to: string, detail?: object): void {
    this.events.push({
      id: newId(idPrefixes.bookingEvent),
      tenant_id: this.tenantId,
      booking_id: bookingId,
      from_status: from,
      to_status: to,
      detail: detail ? JSON.stringify(detail) : null,
      at_ms: Date.now(),
    });
  }
}

/** Commits a plan in one transaction under the shard's fence; the calendar's version too. */
export async function commitPlan(
  knex: Knex,
  plan: WritePlan,
  fence: ShardFence,
  mysql: boolean,
  version: number,
): Promise<void> {
  await writeFenced(knex, fence, mysql, (trx) => [
    ...removeReleased(trx, plan),
    ...writeReservations(trx, plan),
    ...writeChanges(trx, plan),
    trx("calendars").where({ id: plan.calendarId }).update({ version }),
  ]);
}

function removeReleased(trx: Knex.Transaction, plan: WritePlan): Knex.QueryBuilder[] {
  const statements: Knex.QueryBuilder[] = [];
  const owners = plan.releasedOwners;
  for (let i = 0; i < owners.length; i += 500) {
    const chunk = owners.slice(i, i + 500);
    statements.push(
      trx("slot_claims")
        .where({ calendar_id: plan.calendarId })
        .whereIn("owner_id", chunk)
        .delete(),
    );
  }
  for (const timer of plan.cancelledTimers) {
    statements.push(
      trx("actor_timers").where({ actor_key: timer.key, timer_id: timer.timerId }).delete(),
    );
  }
  return statements;
}

function writeReservations(trx: Knex.Transaction, plan: WritePlan): Knex.QueryBuilder[] {
  return [
    ...insertChunks(trx, "holds", plan.holds, 200),
    ...insertChunks(trx, "bookings", plan.bookings, 100),
    ...plan.reassigned.map(({ from, to }) =>
      trx("slot_claims")
        .where({ calendar_id: plan.calendarId, owner_id: from })
        .update({ owner_kind: "booking", owner_id: to }),
    ),
    ...insertChunks(trx, "slot_claims", plan.claims, 300),
    ...plan.timers.map((timer) => timerUpsert(trx, timer)),
  ];
}

function writeChanges(trx: Knex.Transaction, plan: WritePlan): Knex.QueryBuilder[] {
  return [
    ...plan.holdStatuses.map(({ id, status }) => trx("holds").where({ id }).update({ status })),
    ...plan.holdExpiries.map(({ id, expiresAtMs }) =>
      trx("holds").where({ id }).update({ expires_at_ms: expiresAtMs }),
    ),
    ...plan.bookingUpdates.map(({ id, changes }) => trx("bookings").where({ id }).update(changes)),
    ...insertChunks(trx, "booking_events", plan.events, 200),
    ...insertChunks(trx, "outbox_events", plan.outbox, 100),
  ];
}
