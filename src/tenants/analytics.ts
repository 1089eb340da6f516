import type { EntityManager } from "@mikro-orm/core";
import type { Knex, SqlEntityManager } from "@mikro-orm/knex";
import { DateTime } from "luxon";
import { errors } from "../domain/app-error.js";
import type { Tenant } from "../store/entities/index.js";
import { localDay } from "./protocol-usage.js";

/** The protocols analytics reports, as answer keys, with the gateway's name of each. */
export const analyticsProtocols = {
  rest: "rest",
  graphql: "graphql",
  mcp: "mcp",
  agentProtocol: "agent-protocol",
  a2a: "a2a",
  widget: "widget",
  webhook: "webhook",
} as const;

/** A protocol as analytics answers name it. */
export type AnalyticsProtocol = keyof typeof analyticsProtocols;

/** A count per reported protocol. */
export type ProtocolCounts = Record<AnalyticsProtocol, number>;

/** One day of a tenant's activity, in its time zone. */
export interface AnalyticsDay {
  date: string;
  /** Bookings created that day. */
  bookings: number;
  /** Bookings cancelled that day. */
  cancellations: number;
  /** Bookings marked as no-shows that day. */
  noShows: number;
  /** Prices of the confirmed bookings starting that day, per currency. */
  revenueCents: Record<string, number>;
  /** Bookings created that day, per protocol they were made over. */
  protocols: ProtocolCounts;
  /** API requests that day, per protocol. */
  requests: ProtocolCounts;
}

/** The analytics answer: every day of the window, and the window's totals. */
export interface TenantAnalytics {
  from: string;
  to: string;
  timezone: string;
  days: AnalyticsDay[];
  totals: Omit<AnalyticsDay, "date">;
}

/** The longest window one call may ask for, in days. */
export const maxAnalyticsDays = 366;
/** The window when none is given, in days ending today. */
export const defaultAnalyticsDays = 30;

// Every time zone in use is offset from UTC by whole quarter hours, so quarter-hour buckets
// counted in SQL fall wholly within one local day, DST changes included.
const bucketMs = 15 * 60_000;

/** The days asked for, as `from`/`to` local dates (defaults: the last 30 days), checked. */
export function analyticsWindow(
  zone: string,
  asked: { from?: string | undefined; to?: string | undefined },
  nowMs = Date.now(),
) {
  const today = localDay(nowMs, zone);
  const to = asked.to ?? (asked.from ? laterOf(asked.from, today) : today);
  const from = asked.from ?? shiftDay(to, -(defaultAnalyticsDays - 1));
  const days = dayCount(from, to);
  if (days < 1) throw errors.invalidInput([{ path: "to", message: "to must not be before from" }]);
  if (days > maxAnalyticsDays) {
    throw errors.invalidInput([
      { path: "to", message: `ask for at most ${maxAnalyticsDays} days at a time` },
    ]);
  }
  const fromMs = DateTime.fromISO(from, { zone }).startOf("day").toMillis();
  const toMs = DateTime.fromISO(shiftDay(to, 1), { zone }).startOf("day").toMillis();
  return { from, to, zone, fromMs, toMs };
}

/** A window of local days and the instants it spans. */
export type AnalyticsWindow = ReturnType<typeof analyticsWindow>;

/**
 * The tenant's activity per local day over the window, from four aggregate queries (each
 * reads one index range of the tenant's rows); days without activity are zeros.
 */
export async function tenantAnalytics(
  em: EntityManager,
  dialect: "sqlite" | "mysql",
  tenant: Tenant,
  window: AnalyticsWindow,
): Promise<TenantAnalytics> {
  const knex = (em as SqlEntityManager).getKnex();
  const mysql = dialect === "mysql";
  const days = emptyDays(window);
  const dayOf = bucketDays(window.zone);
  const on = (bucket: number | string) => days.get(dayOf(Number(bucket)));

  for (const row of await createdByProtocol(knex, mysql, tenant.id, window)) {
    const day = on(row.bucket);
    if (!day) continue;
    day.bookings += Number(row.n);
    const protocol = reportedProtocol(row.source);
    if (protocol) day.protocols[protocol] += Number(row.n);
  }
  for (const row of await statusChanges(knex, mysql, tenant.id, window)) {
    const day = on(row.bucket);
    if (!day) continue;
    if (row.to_status === "cancelled") day.cancellations += Number(row.n);
    else day.noShows += Number(row.n);
  }
  for (const row of await revenue(knex, mysql, tenant.id, window)) {
    const day = on(row.bucket);
    if (day)
      day.revenueCents[row.currency] = (day.revenueCents[row.currency] ?? 0) + Number(row.cents);
  }
  for (const row of await requests(knex, tenant.id, window)) {
    const protocol = reportedProtocol(row.protocol);
    const day = days.get(row.day);
    if (day && protocol) day.requests[protocol] += Number(row.requests);
  }

  const list = [...days.values()];
  return { from: window.from, to: window.to, timezone: window.zone, days: list, totals: sum(list) };
}

interface BucketCount {
  bucket: number | string;
  n: number | string;
}

function bucketOf(knex: Knex, mysql: boolean, column: string) {
  // Integer division: `div` on MySQL; SQLite divides integers as integers.
  return knex.raw(mysql ? `?? div ${bucketMs}` : `?? / ${bucketMs}`, [column]);
}

function createdByProtocol(knex: Knex, mysql: boolean, tenantId: string, w: AnalyticsWindow) {
  return knex("bookings")
    .select({ bucket: bucketOf(knex, mysql, "created_at_ms"), source: "source" })
    .count({ n: "*" })
    .where("tenant_id", tenantId)
    .andWhere("created_at_ms", ">=", w.fromMs)
    .andWhere("created_at_ms", "<", w.toMs)
    .groupBy("bucket", "source") as unknown as Promise<(BucketCount & { source: string | null })[]>;
}

function statusChanges(knex: Knex, mysql: boolean, tenantId: string, w: AnalyticsWindow) {
  return knex("booking_events")
    .select({ bucket: bucketOf(knex, mysql, "at_ms"), to_status: "to_status" })
    .count({ n: "*" })
    .where("tenant_id", tenantId)
    .andWhere("at_ms", ">=", w.fromMs)
    .andWhere("at_ms", "<", w.toMs)
    .whereIn("to_status", ["cancelled", "no_show"])
    .groupBy("bucket", "to_status") as unknown as Promise<(BucketCount & { to_status: string })[]>;
}

function revenue(knex: Knex, mysql: boolean, tenantId: string, w: AnalyticsWindow) {
  return knex("bookings")
    .select({ bucket: bucketOf(knex, mysql, "start_ms"), currency: "currency" })
    .sum({ cents: "price_cents" })
    .where("tenant_id", tenantId)
    .andWhere("start_ms", ">=", w.fromMs)
    .andWhere("start_ms", "<", w.toMs)
    .andWhere("status", "confirmed")
    .groupBy("bucket", "currency") as unknown as Promise<
    { bucket: number | string; currency: string; cents: number | string }[]
  >;
}

function requests(knex: Knex, tenantId: string, w: AnalyticsWindow) {
  return knex("tenant_protocol_usage")
    .select("day", "protocol", "requests")
    .where("tenant_id", tenantId)
    .andWhere("day", ">=", w.from)
    .andWhere("day", "<=", w.to) as unknown as Promise<
    { day: string; protocol: string; requests: number | string }[]
  >;
}

/** The local day of each bucket, remembered: many rows share a bucket's day. */
function bucketDays(zone: string): (bucket: number) => string {
  const known = new Map<number, string>();
  return (bucket) => {
    let day = known.get(bucket);
    if (day === undefined) known.set(bucket, (day = localDay(bucket * bucketMs, zone)));
    return day;
  };
}

function reportedProtocol(name: string | null): AnalyticsProtocol | undefined {
  const entry = Object.entries(analyticsProtocols).find(([, gateway]) => gateway === name);
  return entry?.[0] as AnalyticsProtocol | undefined;
}

function zeroCounts(): ProtocolCounts {
  return { rest: 0, graphql: 0, mcp: 0, agentProtocol: 0, a2a: 0, widget: 0, webhook: 0 };
}

function emptyDays(window: AnalyticsWindow): Map<string, AnalyticsDay> {
  const days = new Map<string, AnalyticsDay>();
  for (let date = window.from; date <= window.to; date = shiftDay(date, 1)) {
    days.set(date, { date, ...emptyTotals() });
  }
  return days;
}

function emptyTotals(): Omit<AnalyticsDay, "date"> {
  return {
    bookings: 0,
    cancellations: 0,
    noShows: 0,
    revenueCents: {},
    protocols: zeroCounts(),
    requests: zeroCounts(),
  };
}

function sum(days: AnalyticsDay[]): Omit<AnalyticsDay, "date"> {
  const totals = emptyTotals();
  for (const day of days) {
    totals.bookings += day.bookings;
    totals.cancellations += day.cancellations;
    totals.noShows += day.noShows;
    for (const [currency, cents] of Object.entries(day.revenueCents)) {
      totals.revenueCents[currency] = (totals.revenueCents[currency] ?? 0) + cents;
    }
    for (const key of Object.keys(analyticsProtocols) as AnalyticsProtocol[]) {
      totals.protocols[key] += day.protocols[key];
      totals.requests[key] += day.requests[key];
    }
  }
  return totals;
}

function shiftDay(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: "utc" }).plus({ days }).toISODate()!;
}

function dayCount(from: string, to: string): number {
  const span = DateTime.fromISO(to, { zone: "utc" }).diff(DateTime.fromISO(from, { zone: "utc" }));
  return Math.round(span.as("days")) + 1;
}

function laterOf(from: string, today: string): string {
  // Only `from` given: up to today, or the longest window when today is further than that.
  const last = shiftDay(from, maxAnalyticsDays - 1);
  return today < from ? from : today > last ? last : today;
}
