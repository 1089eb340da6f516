import { EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";
import type { ApiKeyKind, ApiKeyMode } from "../../domain/tenancy.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** An API key; only its HMAC and a short visible prefix are stored. */
export class ApiKey implements TenantOwned {
  id!: string;
  tenant!: string;
  kind!: ApiKeyKind;
  mode!: ApiKeyMode;
  prefix!: string;
  keyHash!: string;
  name: string | null = null;
  allowedOrigins: Opt<string[]> = [];
  createdBy: string | null = null;
  createdAt: Opt<Date> = new Date();
  lastUsedAt: Date | null = null;
  revokedAt: Date | null = null;
}

export const ApiKeySchema = new EntitySchema<ApiKey>({
  class: ApiKey,
  tableName: "api_keys",
  filters: { tenant: tenantFilter },
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    kind: { type: "string", length: 20 },
    mode: { type: "string", length: 10 },
    prefix: { type: "string", length: 24 },
    keyHash: { type: "string", length: 64, unique: true },
    name: { type: "string", length: 100, nullable: true },
    allowedOrigins: { ...jsonColumn },
    createdBy: { type: "string", length: 60, nullable: true },
    createdAt: { type: "datetime", length: 3 },
    lastUsedAt: { type: "datetime", length: 3, nullable: true },
    revokedAt: { type: "datetime", length: 3, nullable: true },
  },
});
