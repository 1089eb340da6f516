import { Tenant } from "./entities/tenant.js";

/** Name of the default filter that confines every read of a tenant-owned table to one tenant. */
export const tenantFilterName = "tenant";

/** Arguments the tenant filter takes; set once per request with `em.setFilterParams`. */
export interface TenantFilterArgs {
  tenantId: string;
}

/**
 * The filter every tenant-owned entity carries. It is on by default and has no fallback: a
 * read without a tenant set fails instead of returning every tenant's rows.
 */
export const tenantFilter = {
  name: tenantFilterName,
  cond: (args: TenantFilterArgs) => ({ tenant: args.tenantId }),
  default: true,
};

/** The `tenant` column of a tenant-owned entity: the owning tenant's id, with a foreign key. */
export const tenantColumn = {
  kind: "m:1",
  entity: () => Tenant,
  mapToPk: true,
  fieldName: "tenant_id",
} as const;

/** Entities whose rows belong to exactly one tenant. */
export interface TenantOwned {
  id: string;
  tenant: string;
}
