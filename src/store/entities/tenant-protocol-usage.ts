import { EntitySchema } from "@mikro-orm/core";
import { tenantColumn, tenantFilter } from "../tenant-owned.js";

/** API requests one tenant made over one protocol on one day of its time zone. */
export class TenantProtocolUsage {
  tenant!: string;
  /** The tenant's local date, `YYYY-MM-DD`. */
  day!: string;
  /** A gateway protocol name (`rest`, `agent-protocol`, …). */
  protocol!: string;
  requests!: number;
}

export const TenantProtocolUsageSchema = new EntitySchema<TenantProtocolUsage>({
  class: TenantProtocolUsage,
  tableName: "tenant_protocol_usage",
  filters: { tenant: tenantFilter },
  properties: {
    tenant: { ...tenantColumn, primary: true },
    day: { type: "string", length: 10, primary: true },
    protocol: { type: "string", length: 20, primary: true },
    requests: { type: "integer" },
  },
});
