import { EntitySchema, type Opt } from "@mikro-orm/core";
import type { InboundEventType } from "../../domain/inbound-events.js";
import { jsonColumn } from "../json-column.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/**
 * An outside system allowed to send a tenant signed events. Its signing secret must be
 * recoverable to check signatures, so it is stored encrypted, never in plain text.
 */
export class WebhookSource implements TenantOwned {
  id!: string;
  tenant!: string;
  name!: string;
  /** The secret's first characters, to tell sources apart in listings. */
  secretPrefix!: string;
  /** The signing secret, AES-256-GCM under a key derived from the platform pepper. */
  secretCiphertext!: string;
  /** The secret before the last rotation, still accepted until `previousSecretExpiresAt`. */
  previousSecretCiphertext: string | null = null;
  previousSecretExpiresAt: Date | null = null;
  toleranceSeconds: Opt<number> = 300;
  allowedEventTypes!: InboundEventType[];
  isActive: Opt<boolean> = true;
  createdAt: Opt<Date> = new Date();
}

export const WebhookSourceSchema = new EntitySchema<WebhookSource>({
  class: WebhookSource,
  tableName: "webhook_sources",
  filters: { tenant: tenantFilter },
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    name: { type: "string", length: 100 },
    secretPrefix: { type: "string", length: 24 },
    secretCiphertext: { type: "string", length: 255 },
    previousSecretCiphertext: { type: "string", length: 255, nullable: true },
    previousSecretExpiresAt: { type: "datetime", length: 3, nullable: true },
    toleranceSeconds: { type: "integer" },
    allowedEventTypes: { ...jsonColumn },
    isActive: { type: "boolean" },
    createdAt: { type: "datetime", length: 3 },
  },
});
