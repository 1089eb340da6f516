import type { EntityManager } from "@mikro-orm/core";
import type { Knex, SqlEntityManager } from "@mikro-orm/knex";
import { planSlugs, subscriptionStatuses } from "../domain/tenancy.js";

/** The platform operator's figures: revenue, tenants by status and plan, bookings. */
export interface PlatformMetrics {
  /** Monthly recurring revenue of the active tenants (yearly plans count a twelfth). */
  mrrCents: number;
  currency: string;
  tenantsByStatus: Record<string, number>;
  tenantsByPlan: Record<string, number>;
  /** Bookings made on the whole platform this calendar month (UTC). */
  bookingsThisMonth: number;
}

/** Counts the platform's figures with one aggregate query each. */
export async function platformMetrics(em: EntityManager, nowMs = Date.now()) {
  const knex = (em as SqlEntityManager).getKnex();
  const [mrr, byStatus, byPlan, bookings] = await Promise.all([
    monthlyRevenue(knex),
    countBy(knex("tenants").select({ key: "subscription_status" }), "subscription_status"),
    countBy(
      knex("tenants").join("saas_plans", "saas_plans.id", "tenants.plan_id").select({
        key: "saas_plans.slug",
      }),
      "saas_plans.slug",
    ),
    bookingsInMonth(knex, nowMs),
  ]);
  const metrics: PlatformMetrics = {
    ...mrr,
    tenantsByStatus: withZeros(subscriptionStatuses, byStatus),
    tenantsByPlan: withZeros(planSlugs, byPlan),
    bookingsThisMonth: bookings,
  };
  return metrics;
}

/** MRR: active tenants counted per plan and billing interval, then priced. */
async function monthlyRevenue(knex: Knex) {
  const rows: {
    currency: string;
    monthly: number | string;
    yearly: number | string | null;
    interval: string | null;
    n: number | string;
  }[] = await knex("tenants")
    .join("saas_plans", "saas_plans.id", "tenants.plan_id")
    .select({
      currency: "saas_plans.currency",
      monthly: "saas_plans.monthly_price_cents",
      yearly: "saas_plans.yearly_price_cents",
      interval: "tenants.billing_interval",
    })
    .count({ n: "*" })
    .where("tenants.subscription_status", "active")
    .groupBy(
      "saas_plans.currency",
      "saas_plans.monthly_price_cents",
      "saas_plans.yearly_price_cents",
      "tenants.billing_interval",
    );
  let cents = 0;
  for (const row of rows) {
    const yearly = row.yearly === null ? null : Number(row.yearly);
    const perMonth = row.interval === "year" && yearly !== null ? yearly / 12 : Number(row.monthly);
    cents += perMonth * Number(row.n);
  }
  // Plans are priced in one currency; with none active, the plans' own currency is named.
  const currency = rows[0]?.currency ?? (await planCurrency(knex));
  return { mrrCents: Math.round(cents), currency };
}

async function planCurrency(knex: Knex): Promise<string> {
  const plan = await knex("saas_plans").select("currency").orderBy("sort_order").first();
  return (plan?.currency as string | undefined) ?? "USD";
}

async function countBy(query: Knex.QueryBuilder, column: string) {
  const rows: { key: string; n: number | string }[] = await query.count({ n: "*" }).groupBy(column);
  return new Map(rows.map((row) => [row.key, Number(row.n)]));
}

async function bookingsInMonth(knex: Knex, nowMs: number): Promise<number> {
  const now = new Date(nowMs);
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const row = await knex("bookings")
    .count({ n: "*" })
    .where("created_at_ms", ">=", start)
    .andWhere("created_at_ms", "<", end)
    .first();
  return Number(row?.n ?? 0);
}

function withZeros(keys: readonly string[], counts: Map<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const key of keys) result[key] = counts.get(key) ?? 0;
  for (const [key, n] of counts) result[key] ??= n;
  return result;
}
