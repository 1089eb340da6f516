import type { EntityManager } from "@mikro-orm/core";
import { errors } from "../domain/app-error.js";
import type { PlanSlug, SubscriptionStatus } from "../domain/tenancy.js";
import { SaasPlan, Tenant, User } from "../store/entities/index.js";
import { recordAudit, type AuditOrigin } from "./audit.js";
import { viewTenant, type TenantView } from "./tenant-view.js";

/** A tenant as the platform operator sees it: with plan, status and usage. */
export interface AdminTenantView extends TenantView {
  usage: { users: number };
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
  const data: AdminTenantView[] = [];
  for (const tenant of pageItems) data.push(await viewForAdmin(em, tenant));
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
  await em.flush();
  return viewForAdmin(em, tenant);
}

async function findPlan(em: EntityManager, slug: PlanSlug): Promise<SaasPlan> {
  const plan = await em.findOne(SaasPlan, { slug, isActive: true });
  if (!plan) throw errors.notFound("plan", slug);
  return plan;
}

function applyPlan(tenant: Tenant, plan: SaasPlan): void {
  tenant.plan = plan;
  tenant.maxUsers = plan.maxUsers;
  tenant.maxBookingsPerMonth = plan.maxBookingsPerMonth;
  tenant.maxEvents = plan.maxEvents;
  tenant.storageLimitMb = plan.storageLimitMb;
}

async function viewForAdmin(em: EntityManager, tenant: Tenant): Promise<AdminTenantView> {
  // Counting one tenant's users on purpose across the tenant filter: the operator sees all.
  const users = await em.count(User, { tenant: tenant.id }, { filters: false });
  return { ...viewTenant(tenant), usage: { users } };
}
