import { BlobType, EntitySchema, type Opt } from "@mikro-orm/core";
import type { UploadKind } from "../../domain/uploads.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/**
 * A file a tenant uploaded (its logo), kept in the database so every node serves it. Its
 * bytes count against the plan's storage limit; they are loaded only when asked for.
 */
export class Upload implements TenantOwned {
  id!: string;
  tenant!: string;
  kind!: UploadKind;
  contentType!: string;
  sizeBytes!: number;
  /** Hex SHA-256 of the bytes, also the file's ETag. */
  sha256!: string;
  data!: Buffer;
  createdAt: Opt<Date> = new Date();
}

export const UploadSchema = new EntitySchema<Upload>({
  class: Upload,
  tableName: "uploads",
  filters: { tenant: tenantFilter },
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    kind: { type: "string", length: 20 },
    contentType: { type: "string", length: 100 },
    sizeBytes: { type: "integer" },
    sha256: { type: "string", length: 64 },
    data: { type: BlobType, lazy: true },
    createdAt: { type: "datetime", length: 3 },
  },
});
