import type { Knex } from "@mikro-orm/knex";
import { randomUUID } from "node:crypto";
import type { Actor, ActorContext, ActorKind } from "../../actors/index.js";
import { errors } from "../domain/app-error.js";
import type { Database } from "../store/database.js";
import { knexOf } from "./knex-access.js";

/** What a tenant actor understands. */
export type TenantMessage =
  | { op: "reserve"; count: number }
  | { op: "settle"; reservationId: string; used: number }
  | { op: "usage" }
  | { op: "reload" };

/** A tenant's usage this period, as `GET /api/v1/usage` shows it. */
export interface UsageView {
  period: string;
  periodStart: string;
  periodEnd: string;
  bookings: { used: number; limit: number; pending: number };
}

/** How long a calendar may take between reserving quota and settling it. */
const reservationTtlMs = 30_000;
/** How stale the cached plan limit may get before it is read again. */
const limitTtlMs = 10_000;

/** Actors `tenant:<tenantId>`: every booking-quota decision of one tenant, serialized. */
export function tenantActorKind(db: Database): ActorKind<TenantMessage, unknown> {
  const knex = knexOf(db);
  return { kind: "tenant", create: (context) => new TenantActor(context, knex) };
}

/**
 * Meters bookings per calendar month (UTC) against the plan's limit (−1 = unlimited). Calendar
 * actors reserve quota before a group commit and settle it after; the count of bookings made
 * is always read back from the bookings table, so it survives restarts and failovers, and a
 * reservation whose settle never came is dropped after 30 s with a recount.
 */
class TenantActor implements Actor<TenantMessage, unknown> {
  private period = "";
  private periodStart = 0;
  private periodEnd = 0;
  private used = 0;
  private limit = 0;
  private limitReadAt = 0;
  private readonly pending = new Map<string, { count: number; expiresAt: number }>();

  constructor(
    private readonly context: ActorContext,
    private readonly knex: Knex,
  ) {}

  async onActivate(): Promise<void> {
    await this.readLimit();
    await this.startPeriod(Date.now());
  }

  async onMessage(message: TenantMessage): Promise<unknown> {
    await this.refresh();
    switch (message.op) {
      case "reserve":
        return this.reserve(message.count);
      case "settle":
        return this.settle(message.reservationId, message.used);
      case "usage":
        return this.usage();
      case "reload":
        await this.readLimit();
        return this.usage();
    }
  }

  private reserve(count: number) {
    const pendingTotal = [...this.pending.values()].reduce((sum, r) => sum + r.count, 0);
    const room = this.limit === -1 ? count : this.limit - this.used - pendingTotal;
    const granted = Math.max(0, Math.min(count, room));
    const reservationId = randomUUID();
    if (granted > 0) {
      this.pending.set(reservationId, { count: granted, expiresAt: Date.now() + reservationTtlMs });
    }
    return { granted, reservationId, limit: this.limit };
  }

  private settle(reservationId: string, used: number) {
    const reservation = this.pending.get(reservationId);
    if (!reservation) return { settled: false };
    this.pending.delete(reservationId);
    this.used += Math.min(used, reservation.count);
    return { settled: true };
  }

  private usage(): UsageView {
    const pending = [...this.pending.values()].reduce((sum, r) => sum + r.count, 0);
    return {
      period: this.period,
      periodStart: new Date(this.periodStart).toISOString(),
      periodEnd: new Date(this.periodEnd).toISOString(),
      bookings: { used: this.used, limit: this.limit, pending },
    };
  }

  /** Rolls the period, drops reservations nobody settled (then recounts), refreshes the limit. */
  private async refresh(): Promise<void> {
    const now = Date.now();
    if (now >= this.periodEnd) await this.startPeriod(now);
    let expired = false;
    for (const [id, reservation] of this.pending) {
      if (reservation.expiresAt <= now) {
        this.pending.delete(id);
        expired = true;
      }
    }
    if (expired) this.used = await this.countBookings();
    if (now - this.limitReadAt > limitTtlMs) await this.readLimit();
  }

  private async startPeriod(now: number): Promise<void> {
    const date = new Date(now);
    this.periodStart = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
    this.periodEnd = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    this.period = new Date(this.periodStart).toISOString().slice(0, 7);
    this.pending.clear();
    this.used = await this.countBookings();
  }

  private async countBookings(): Promise<number> {
    const row = await this.knex("bookings")
      .count<{ n: number }[]>({ n: "*" })
      .where({ tenant_id: this.context.id })
      .andWhere("created_at_ms", ">=", this.periodStart)
      .andWhere("created_at_ms", "<", this.periodEnd);
    return Number(row[0]?.n ?? 0);
  }

  private async readLimit(): Promise<void> {
    const tenant = await this.knex("tenants")
      .select("max_bookings_per_month")
      .where({ id: this.context.id })
      .first();
    if (!tenant) throw errors.notFound("tenant", this.context.id);
    this.limit = Number(tenant.max_bookings_per_month);
    this.limitReadAt = Date.now();
  }
}
