import { EntitySchema, type Opt } from "@mikro-orm/core";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** What became of a text message. */
export const smsStatuses = ["sent", "failed", "recorded"] as const;
export type SmsStatus = (typeof smsStatuses)[number];

/** One text message the engine sent (or recorded) for a tenant: the SMS log and its meter. */
export class SmsMessage implements TenantOwned {
  id!: string;
  tenant!: string;
  to!: string;
  template!: string;
  body!: string;
  status!: SmsStatus;
  /** The provider's id of the message, when it took it. */
  providerId: string | null = null;
  error: string | null = null;
  createdAt: Opt<Date> = new Date();
}

export const SmsMessageSchema = new EntitySchema<SmsMessage>({
  class: SmsMessage,
  tableName: "sms_messages",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["tenant", "createdAt"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    to: { type: "string", length: 32 },
    template: { type: "string", length: 40 },
    body: { type: "string", length: 1600 },
    status: { type: "string", length: 20 },
    providerId: { type: "string", length: 64, nullable: true },
    error: { type: "string", length: 500, nullable: true },
    createdAt: { type: "datetime", length: 3 },
  },
});
