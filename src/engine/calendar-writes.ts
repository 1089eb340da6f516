import type { Knex } from "@mikro-orm/knex";
import type { StoredTimer } from "../../actors/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { saveTimer } from "./actor-timers.js";
import type { CellSeat } from "./seat-map.js";
import { assertShardEpoch, type ShardFence } from "./shard-epochs.js";

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
        this.bookingUpdates.length ===
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
  await knex.transaction(async (trx) => {
    await assertShardEpoch(trx, fence, mysql);
    await removeReleased(trx, plan);
    await writeReservations(trx, plan);
    await writeChanges(trx, plan);
    await trx("calendars").where({ id: plan.calendarId }).update({ version });
  });
}

async function removeReleased(trx: Knex.Transaction, plan: WritePlan): Promise<void> {
  const owners = plan.releasedOwners;
  for (let i = 0; i < owners.length; i += 500) {
    await trx("slot_claims")
      .where({ calendar_id: plan.calendarId })
      .whereIn("owner_id", owners.slice(i, i + 500))
      .delete();
  }
  for (const timer of plan.cancelledTimers) {
    await trx("actor_timers").where({ actor_key: timer.key, timer_id: timer.timerId }).delete();
  }
}

async function writeReservations(trx: Knex.Transaction, plan: WritePlan): Promise<void> {
  if (plan.holds.length > 0) await trx.batchInsert("holds", plan.holds, 200);
  if (plan.bookings.length > 0) await trx.batchInsert("bookings", plan.bookings, 100);
  for (const { from, to } of plan.reassigned) {
    await trx("slot_claims")
      .where({ calendar_id: plan.calendarId, owner_id: from })
      .update({ owner_kind: "booking", owner_id: to });
  }
  if (plan.claims.length > 0) await trx.batchInsert("slot_claims", plan.claims, 300);
  for (const timer of plan.timers) await saveTimer(trx, timer);
}

async function writeChanges(trx: Knex.Transaction, plan: WritePlan): Promise<void> {
  for (const { id, status } of plan.holdStatuses) {
    await trx("holds").where({ id }).update({ status });
  }
  for (const { id, expiresAtMs } of plan.holdExpiries) {
    await trx("holds").where({ id }).update({ expires_at_ms: expiresAtMs });
  }
  for (const { id, changes } of plan.bookingUpdates) {
    await trx("bookings").where({ id }).update(changes);
  }
  if (plan.events.length > 0) await trx.batchInsert("booking_events", plan.events, 200);
}
