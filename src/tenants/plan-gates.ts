import type { Principal } from "../domain/principal.js";
import type { Tenant } from "../store/entities/index.js";
import { planIncludes, requireFeatureOrTrial } from "./plan-features.js";

/** Credentials that count as API access: server-side secret keys and AI agents' keys. */
const apiCredentials: ReadonlySet<string> = new Set(["secret", "agent"]);

/**
 * Refuses (403 `feature_not_in_plan`) a secret or agent key of a tenant whose plan lacks API
 * access. Trial tenants keep full access to evaluate; the widget's publishable key and staff
 * sessions always work.
 */
export function assertApiAccess(tenant: Tenant, principal: Principal): void {
  if (apiCredentials.has(principal.kind)) requireFeatureOrTrial(tenant, "apiAccess");
}

/** Refuses (403 `feature_not_in_plan`) custom domains unless the plan (or a trial) has them. */
export function requireCustomDomains(tenant: Tenant): void {
  requireFeatureOrTrial(tenant, "customDomain");
}

/** Whether the widget shows "Powered by VBWD": unless the plan is white label. */
export function showsPoweredBy(tenant: Tenant): boolean {
  return !planIncludes(tenant, "whiteLabel");
}
