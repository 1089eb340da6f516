import type { EntityManager } from "@mikro-orm/core";
import type { Knex, SqlEntityManager } from "@mikro-orm/knex";
import { errors } from "../domain/app-error.js";
import { unlimited, type PlanSlug, type SubscriptionStatus } from "../domain/tenancy.js";
import { SaasPlan, Tenant } from "../store/entities/index.js";
import { recordTenantUpdated } from "./tenant-events.js";
import { recordAudit, type AuditOrigin } from "./audit.js";
import { viewTenant, type TenantView } from "./tenant-view.js";

/** A tenant as the platform operator sees it: with plan, status and usage. */
export interface AdminTenantView extends TenantView {
  /** Staff users, and bookings made this calendar month (UTC) against the plan's limit. */
  usage: { users: number; bookings: { used: number; limit: number } };
}

/** Every tenant, oldest first, `limit` at a time after `cursor` (a tenant id). */
export async function listTenantsForAdmin(
  em: EntityManager,
  page: { limit: number; cursor?: string | undefined },
) {
  const where = page.cursor ? { id: { $gt: page.cursor } } : {};
  const tenants = await em.find(Tenant, where, {
    populate: ["plan"],
    orderBy: { id: "asc" },
    limit: page.limit + 1,
  });
  const pageItems = tenants.slice(0, page.limit);
  const usage = await usageOf(em, pageItems);
  const data = pageItems.map((tenant) => withUsage(tenant, usage));
  const nextCursor = tenants.length > page.limit ? (pageItems.at(-1)?.id ?? null) : null;
  return { data, nextCursor };
}

/** Changes a tenant's subscription status and/or plan; a new plan brings its limits. */
export async function updateTenantForAdmin(
  em: EntityManager,
  code: string,
  change: { subscriptionStatus?: SubscriptionStatus | undefined; planSlug?: PlanSlug | undefined },
  origin: AuditOrigin,
): Promise<AdminTenantView> {
  const tenant = await em.findOne(Tenant, { tenantCode: code }, { populate: ["plan"] });
  if (!tenant) throw errors.tenantNotFound(code);
  const before = { status: tenant.subscriptionStatus, plan: tenant.plan.slug };

  if (change.planSlug !== undefined) applyPlan(tenant, await findPlan(em, change.planSlug));
  if (change.subscriptionStatus !== undefined)
    tenant.subscriptionStatus = change.subscriptionStatus;

  const after = { status: tenant.subscriptionStatus, plan: tenant.plan.slug };
  recordAudit(em, origin, {
    tenantId: tenant.id,
    action: "tenant.updated",
    entityType: "tenant",
    entityId: tenant.id,
    summary: { before, after },
  });
  recordTenantUpdated(em, tenant, { before, after });
  await em.flush();
  return viewForAdmin(em, tenant);
}

/** The active plan of that slug; 404 when there is none. */
export async function findPlan(em: EntityManager, slug: PlanSlug): Promise<SaasPlan> {
  const plan = await em.findOne(SaasPlan, { slug, isActive: true });
  if (!plan) throw errors.notFound("plan", slug);
  return plan;
}

/** Puts the tenant on a plan with the plan's limits (users: the plan's plus any bought). */
export function applyPlan(tenant: Tenant, plan: SaasPlan): void {
  tenant.plan = plan;
  tenant.maxUsers = plan.maxUsers === unlimited ? unlimited : plan.maxUsers + tenant.extraUsers;
  tenant.maxBookingsPerMonth = plan.maxBookingsPerMonth;
  tenant.maxEvents = plan.maxEvents;
  tenant.storageLimitMb = plan.storageLimitMb;
}

async function viewForAdmin(em: EntityManager, tenant: Tenant): Promise<AdminTenantView> {
  return withUsage(tenant, await usageOf(em, [tenant]));
}

/** What the tenants use, by tenant id: one grouped count of users, one of this month's bookings. */
interface TenantUsage {
  users: Map<string, number>;
  bookings: Map<string, number>;
}

function withUsage(tenant: Tenant, usage: TenantUsage): AdminTenantView {
  const bookings = { used: usage.bookings.get(tenant.id) ?? 0, limit: tenant.maxBookingsPerMonth };
  return { ...viewTenant(tenant), usage: { users: usage.users.get(tenant.id) ?? 0, bookings } };
}

async function usageOf(em: EntityManager, tenants: Tenant[]): Promise<TenantUsage> {
  if (tenants.length === 0) return { users: new Map(), bookings: new Map() };
  // Across the tenant filter on purpose: the operator sees every tenant's figures.
  const knex = (em as SqlEntityManager).getKnex();
  const ids = tenants.map((tenant) => tenant.id);
  const now = new Date();
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  const monthEnd = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1);
  const [users, bookings] = await Promise.all([
    countPerTenant(knex("users").whereIn("tenant_id", ids)),
    countPerTenant(
      knex("bookings")
        .whereIn("tenant_id", ids)
        .andWhere("created_at_ms", ">=", monthStart)
        .andWhere("created_at_ms", "<", monthEnd),
    ),
  ]);
  return { users, bookings };
}

async function countPerTenant(query: Knex.QueryBuilder): Promise<Map<string, number>> {
  const rows: { tenant_id: string; n: number | string }[] = await query
    .select("tenant_id")
    .count({ n: "*" })
    .groupBy("tenant_id");
  return new Map(rows.map((row) => [row.tenant_id, Number(row.n)]));
}
