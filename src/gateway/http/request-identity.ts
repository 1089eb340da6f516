import { errors } from "../../domain/app-error.js";
import type { TenantHint } from "../../commands/identity.js";
import { customDomainCandidate } from "../../tenants/custom-domains.js";
import type { HttpContext } from "./http-state.js";

/**
 * The credential a request presents: `Authorization: Bearer …` or `X-API-Key`. Another
 * authorization scheme is refused rather than ignored.
 */
export function credentialOf(ctx: HttpContext): string | undefined {
  const authorization = ctx.get("authorization");
  if (authorization !== "") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw errors.invalidCredentials();
    return match[1];
  }
  const apiKey = ctx.get("x-api-key").trim();
  return apiKey === "" ? undefined : apiKey;
}

/**
 * The tenant a request names, in the order the architecture gives: `X-Tenant-ID`, the widget
 * path, a subdomain of `BASE_DOMAIN`, then a custom domain. A host that could be a tenant's
 * custom domain is only a candidate here: it names a tenant if it is that tenant's verified
 * domain, which the caller's tenant is checked against later (and cached). Hosts that cannot
 * be one (localhost, addresses, `BASE_DOMAIN` and the names under it) give no hint at all.
 */
export function tenantHintOf(
  ctx: HttpContext,
  baseDomain: string | undefined,
  pathTenant: string | undefined,
): TenantHint | undefined {
  const header = ctx.get("x-tenant-id").trim();
  if (header !== "") return { value: header.toLowerCase(), source: "header" };
  if (pathTenant !== undefined) return { value: pathTenant.toLowerCase(), source: "path" };
  const subdomain = subdomainOf(ctx.hostname, baseDomain);
  if (subdomain !== undefined) return { value: subdomain, source: "subdomain" };
  const domain = customDomainCandidate(ctx.hostname, baseDomain);
  return domain === undefined ? undefined : { value: domain, source: "custom_domain" };
}

/** The single label in front of `baseDomain` in `hostname`, if there is exactly one. */
export function subdomainOf(hostname: string, baseDomain: string | undefined): string | undefined {
  if (!baseDomain) return undefined;
  const host = hostname.toLowerCase();
  const suffix = `.${baseDomain}`;
  if (!host.endsWith(suffix)) return undefined;
  const label = host.slice(0, -suffix.length);
  return /^[a-z0-9-]+$/.test(label) && label !== "www" ? label : undefined;
}
