import { errors } from "../domain/app-error.js";
import type { Tenant } from "../store/entities/index.js";

/** Refuses a tenant that may not be served: suspended (402) or cancelled (403). */
export function assertTenantServing(tenant: Tenant): void {
  if (tenant.subscriptionStatus === "suspended") throw errors.tenantSuspended(tenant.tenantCode);
  if (tenant.subscriptionStatus === "cancelled") throw errors.tenantCancelled(tenant.tenantCode);
}
