import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import { errors } from "../domain/app-error.js";
import {
  trialDays,
  type BusinessType,
  type PlanSlug,
  type SubscriptionStatus,
} from "../domain/tenancy.js";
import { SaasPlan, Tenant, User } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { issueApiKey } from "./api-keys.js";
import { recordAudit, type AuditOrigin } from "./audit.js";
import { hashPassword } from "./passwords.js";

/** What a business gives to sign up. */
export interface SignupRequest {
  tenantCode: string;
  name: string;
  businessType: BusinessType;
  email: string;
  password: string;
  timezone?: string | undefined;
  currency?: string | undefined;
  planSlug?: PlanSlug;
  subscriptionStatus?: SubscriptionStatus;
}

/** A new tenant with its owner and the two keys, shown this once. */
export interface SignupResult {
  tenant: Tenant;
  owner: User;
  keys: { secret: string; publishable: string };
}

/**
 * Creates a tenant on a 14-day trial of the starter plan (unless told otherwise), its owner,
 * a secret and a publishable key, all in one transaction. A taken code is `tenant_code_taken`.
 */
export async function signUpTenant(
  em: EntityManager,
  request: SignupRequest,
  pepper: Buffer,
  origin: Omit<AuditOrigin, "principal">,
): Promise<SignupResult> {
  const passwordHash = await hashPassword(request.password);
  try {
    return await em.transactional((tx) => createTenant(tx, request, passwordHash, pepper, origin));
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) {
      throw errors.tenantCodeTaken(request.tenantCode);
    }
    throw err;
  }
}

async function createTenant(
  em: EntityManager,
  request: SignupRequest,
  passwordHash: string,
  pepper: Buffer,
  origin: Omit<AuditOrigin, "principal">,
): Promise<SignupResult> {
  const existing = await em.count(Tenant, { tenantCode: request.tenantCode });
  if (existing > 0) throw errors.tenantCodeTaken(request.tenantCode);

  const plan = await em.findOneOrFail(SaasPlan, { slug: request.planSlug ?? "starter" });
  const tenant = createTenantRecord(em, request, plan);
  const owner = em.create(User, {
    id: newId(idPrefixes.user),
    tenant: tenant.id,
    email: request.email,
    name: null,
    passwordHash,
    role: "owner",
    isActive: true,
    lastLoginAt: null,
    createdAt: new Date(),
    updatedAt: new Date(),
  });
  const secret = issueApiKey(em, tenant.id, { kind: "secret", mode: "live" }, pepper);
  const publishable = issueApiKey(em, tenant.id, { kind: "publishable", mode: "live" }, pepper);

  const principal = {
    kind: "staff",
    tenantId: tenant.id,
    userId: owner.id,
    role: "owner",
  } as const;
  recordAudit(
    em,
    { ...origin, principal },
    {
      tenantId: tenant.id,
      action: "tenant.created",
      entityType: "tenant",
      entityId: tenant.id,
      summary: { code: tenant.tenantCode, plan: plan.slug, status: tenant.subscriptionStatus },
    },
  );
  await em.flush();
  return { tenant, owner, keys: { secret: secret.key, publishable: publishable.key } };
}

function createTenantRecord(em: EntityManager, request: SignupRequest, plan: SaasPlan): Tenant {
  const status = request.subscriptionStatus ?? "trial";
  const now = new Date();
  return em.create(Tenant, {
    id: newId(idPrefixes.tenant),
    tenantCode: request.tenantCode,
    name: request.name,
    businessType: request.businessType,
    timezone: request.timezone ?? "UTC",
    currency: request.currency ?? "EUR",
    locale: "en",
    plan,
    subscriptionStatus: status,
    trialEndsAt: status === "trial" ? new Date(now.getTime() + trialDays * 86_400_000) : null,
    maxUsers: plan.maxUsers,
    maxBookingsPerMonth: plan.maxBookingsPerMonth,
    maxEvents: plan.maxEvents,
    storageLimitMb: plan.storageLimitMb,
    billingEmail: request.email,
    isActive: true,
    createdAt: now,
    updatedAt: now,
  });
}
