import type { Config } from "../config.js";
import type { Tenant } from "../store/entities/index.js";

/** Where people reach this engine: `PUBLIC_URL`, else `http://localhost:PORT`. */
export function publicBaseOf(config: Config): string {
  return config.publicUrl ?? `http://localhost:${config.port}`;
}

/** The page that confirms a staff member's address with the token. */
export function verificationLink(config: Config, token: string): string {
  return `${publicBaseOf(config)}/verify-email?token=${encodeURIComponent(token)}`;
}

/**
 * A booking's manage link in the widget's form (`#vbwd-manage=<tenant>.<booking>.<token>`)
 * on the tenant's site: its verified custom domain, else this engine's public address.
 */
export function manageLink(
  config: Config,
  tenant: Tenant,
  link: { bookingId: string; token: string },
): string {
  const site =
    tenant.customDomain && tenant.customDomainVerifiedAt
      ? `https://${tenant.customDomain}/`
      : `${publicBaseOf(config)}/`;
  return `${site}#vbwd-manage=${tenant.tenantCode}.${link.bookingId}.${link.token}`;
}
