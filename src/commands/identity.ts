import type { EntityManager } from "@mikro-orm/core";
import { errors } from "../domain/app-error.js";
import type { Principal } from "../domain/principal.js";
import { Tenant, User } from "../store/entities/index.js";
import { findActiveKeyUnscoped, hashApiKey, looksLikeApiKey } from "../tenants/api-keys.js";
import { tenantIdOfDomain } from "../tenants/custom-domains.js";
import { isAdminToken } from "../tenants/platform-secrets.js";
import { looksLikeJwt, verifyStaffToken } from "../tenants/staff-tokens.js";
import type { EngineServices } from "./command.js";

/** How a request names its tenant, before any credential is checked. */
export interface TenantHint {
  /**
   * A tenant code, or a tenant id (`ten_…`); for `custom_domain`, the host the request
   * reached, which names a tenant only if it is that tenant's verified custom domain.
   */
  value: string;
  source: "header" | "path" | "subdomain" | "custom_domain";
}

/** Turns a presented credential into a principal; anything unrecognised is a 401. */
export async function identifyPrincipal(
  services: EngineServices,
  em: () => EntityManager,
  credential: string | undefined,
): Promise<Principal> {
  if (credential === undefined) return { kind: "anonymous" };
  const known = services.identities.principal(credential);
  if (known) return known;
  if (looksLikeApiKey(credential)) return identifyApiKey(services, em, credential);
  if (isAdminToken(services.secrets, credential)) return { kind: "platform" };
  if (looksLikeJwt(credential)) return identifyStaff(services, em, credential);
  throw errors.invalidCredentials();
}

async function identifyApiKey(
  services: EngineServices,
  em: () => EntityManager,
  credential: string,
) {
  const record = await findActiveKeyUnscoped(
    em(),
    hashApiKey(services.secrets.keyPepper, credential),
  );
  if (!record) throw errors.invalidCredentials();
  const principal = {
    kind: record.kind,
    tenantId: record.tenant,
    keyId: record.id,
    mode: record.mode,
    allowedOrigins: record.allowedOrigins,
  } satisfies Principal;
  services.identities.rememberPrincipal(credential, principal);
  return principal;
}

async function identifyStaff(
  services: EngineServices,
  em: () => EntityManager,
  credential: string,
) {
  const claims = await verifyStaffToken(services.secrets.jwtKey, credential);
  // Unscoped on purpose: the token names the tenant, and this check confirms the user.
  const user = await em().findOne(
    User,
    { id: claims.userId, tenant: claims.tenantId, isActive: true },
    { filters: false },
  );
  if (!user) throw errors.invalidCredentials();
  return {
    kind: "staff",
    tenantId: user.tenant,
    userId: user.id,
    role: user.role,
  } satisfies Principal;
}

/** The key id a public widget principal carries: no stored key stands behind it. */
export const publicWidgetKeyId = "public-widget";

/**
 * The principal of a keyless call to a tenant's public endpoint: the tenant named in the path,
 * with exactly a publishable key's scope. Only a path may name it; anything else is a 401.
 */
export async function publicWidgetPrincipal(
  services: EngineServices,
  em: () => EntityManager,
  hint: TenantHint | undefined,
): Promise<Principal> {
  if (hint?.source !== "path") throw errors.unauthenticated();
  const tenant = await em().findOne(Tenant, { tenantCode: hint.value, isActive: true });
  if (!tenant) throw errors.tenantNotFound(hint.value);
  return {
    kind: "publishable",
    tenantId: tenant.id,
    keyId: publicWidgetKeyId,
    mode: "live",
    allowedOrigins: [],
  };
}

/**
 * Finds the tenant a tenant call acts on: the credential's own tenant, which must agree with
 * any tenant the request names. The credential of a vanished tenant is a 401.
 */
export async function resolveCallerTenant(
  services: EngineServices,
  em: () => EntityManager,
  principalTenantId: string,
  hint: TenantHint | undefined,
): Promise<Tenant> {
  let tenant = services.identities.tenant(principalTenantId);
  if (!tenant) {
    const where = { id: principalTenantId, isActive: true };
    const found = await em().findOne(Tenant, where, { populate: ["plan"] });
    if (!found) throw errors.invalidCredentials();
    services.identities.rememberTenant(found);
    tenant = found;
  }
  if (hint?.source === "custom_domain") {
    const domainTenant = await tenantOfHost(services, em, hint.value);
    if (domainTenant !== null && domainTenant !== tenant.id) throw errors.tenantMismatch();
  } else if (hint && hint.value !== tenant.tenantCode && hint.value !== tenant.id) {
    throw errors.tenantMismatch();
  }
  return tenant;
}

/**
 * The tenant whose verified custom domain `host` is, or null for a host that is none; both
 * answers are remembered, and forgotten on every node when a domain is verified or removed.
 */
export async function tenantOfHost(
  services: EngineServices,
  em: () => EntityManager,
  host: string,
): Promise<string | null> {
  const known = services.identities.tenantOfHost(host);
  if (known !== undefined) return known;
  const tenantId = await tenantIdOfDomain(em(), host);
  services.identities.rememberHost(host, tenantId);
  return tenantId;
}
