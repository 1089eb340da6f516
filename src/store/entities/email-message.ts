import { EntitySchema, type Opt } from "@mikro-orm/core";
import { tenantColumn, tenantFilter } from "../tenant-owned.js";

/** What became of an outgoing message: sent over SMTP, refused, or only recorded (no SMTP). */
export const emailStatuses = ["sent", "failed", "recorded"] as const;
export type EmailStatus = (typeof emailStatuses)[number];

/** One outgoing email, written once its sending was tried (or skipped without SMTP). */
export class EmailMessage {
  id!: string;
  /** The tenant the message was sent for; null for the platform's own messages. */
  tenant: string | null = null;
  to!: string;
  subject!: string;
  /** The template it was made from, such as `verify-email`. */
  template!: string;
  status!: EmailStatus;
  /** Why sending failed, as the SMTP client reported it. */
  error: string | null = null;
  createdAt: Opt<Date> = new Date();
}

export const EmailMessageSchema = new EntitySchema<EmailMessage>({
  class: EmailMessage,
  tableName: "email_messages",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["tenant", "createdAt"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    // Erasing a tenant erases the record of what was sent for it (addresses included).
    tenant: { ...tenantColumn, nullable: true, deleteRule: "cascade" },
    to: { type: "string", length: 255 },
    subject: { type: "string", length: 255 },
    template: { type: "string", length: 40 },
    status: { type: "string", length: 20 },
    error: { type: "string", length: 500, nullable: true },
    createdAt: { type: "datetime", length: 3 },
  },
});
