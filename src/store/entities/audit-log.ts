import { EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** Who acted: a staff user, an API key, an agent, the platform operator, or the engine. */
export const auditActorKinds = ["user", "key", "agent", "platform", "system"] as const;
export type AuditActorKind = (typeof auditActorKinds)[number];

/** One append-only record of a change to a tenant's data. */
export class AuditLog implements TenantOwned {
  id!: string;
  tenant!: string;
  actorKind!: AuditActorKind;
  actorId: string | null = null;
  action!: string;
  entityType!: string;
  entityId: string | null = null;
  summary: Opt<Record<string, unknown>> | null = null;
  protocol: string | null = null;
  ipAddress: string | null = null;
  requestId: string | null = null;
  createdAt: Opt<Date> = new Date();
}

export const AuditLogSchema = new EntitySchema<AuditLog>({
  class: AuditLog,
  tableName: "audit_logs",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["tenant", "createdAt"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    actorKind: { type: "string", length: 20 },
    actorId: { type: "string", length: 60, nullable: true },
    action: { type: "string", length: 80 },
    entityType: { type: "string", length: 40 },
    entityId: { type: "string", length: 60, nullable: true },
    summary: { ...jsonColumn, nullable: true },
    protocol: { type: "string", length: 20, nullable: true },
    ipAddress: { type: "string", length: 64, nullable: true },
    requestId: { type: "string", length: 64, nullable: true },
    createdAt: { type: "datetime", length: 3 },
  },
});
