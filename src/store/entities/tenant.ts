import { EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";
import type { RefundPolicy } from "../../domain/payments.js";
import type { BillingInterval } from "../../domain/billing.js";
import type { BusinessType, SubscriptionStatus } from "../../domain/tenancy.js";
import { SaasPlan } from "./saas-plan.js";

/** A business using VBWD: its identity, branding, configuration, plan and limits. */
export class Tenant {
  id!: string;
  tenantCode!: string;
  name!: string;
  businessType!: BusinessType;
  description: string | null = null;
  logoUrl: string | null = null;
  primaryColor: string | null = null;
  secondaryColor: string | null = null;
  /** The CSS font stack the widget uses; null: the widget's default. */
  fontFamily: string | null = null;
  /** The widget's corner radius in CSS pixels; null: the widget's default. */
  cornerRadiusPx: number | null = null;
  customDomain: string | null = null;
  /** The custom domain asked for, pending until its DNS challenge is verified. */
  customDomainRequested: string | null = null;
  /** The token the domain's `_vbwd-challenge` TXT record must carry. */
  customDomainToken: string | null = null;
  /** When `customDomain` was verified; null while none is. */
  customDomainVerifiedAt: Date | null = null;
  timezone: Opt<string> = "UTC";
  currency: Opt<string> = "EUR";
  locale: Opt<string> = "en";
  plan!: SaasPlan;
  subscriptionStatus: Opt<SubscriptionStatus> = "trial";
  trialEndsAt: Date | null = null;
  maxUsers: Opt<number> = 5;
  maxBookingsPerMonth: Opt<number> = 100;
  maxEvents: Opt<number> = 10;
  storageLimitMb: Opt<number> = 1024;
  holdTtlSeconds: Opt<number> = 600;
  /** Customers are reminded this many minutes before each booking; null: no reminders. */
  reminderMinutesBefore: number | null = null;
  /** Customers may cancel their own booking through its manage link. */
  selfServiceCancel: Opt<boolean> = true;
  /** Customers may move their own booking through its manage link. */
  selfServiceReschedule: Opt<boolean> = true;
  /** How many hours before the start customers may still change a booking themselves. */
  selfServiceCutoffHours: Opt<number> = 24;
  /** How much of a prepayment a cancelled booking gets back (see `refundDue`). */
  refundPolicy: Opt<RefundPolicy> = "full";
  /** For the `cutoff` policy: a full refund only this many hours or more before the start. */
  refundCutoffHours: Opt<number> = 24;
  billingEmail: string | null = null;
  billingAddress: Opt<Record<string, unknown>> | null = null;
  paymentMethodId: string | null = null;
  /** The tenant's Stripe customer (`cus_…`), once it has started a checkout. */
  stripeCustomerId: string | null = null;
  /** The tenant's Stripe subscription (`sub_…`), once one exists. */
  stripeSubscriptionId: string | null = null;
  billingInterval: BillingInterval | null = null;
  /** When the paid period ends (Stripe's `current_period_end`). */
  currentPeriodEnd: Date | null = null;
  /** When the Stripe event that last set the status happened; older events are ignored. */
  subscriptionStatusAt: Date | null = null;
  /** Users bought on top of the plan's (an add-on). */
  extraUsers: Opt<number> = 0;
  /** The SMS reminders add-on. */
  smsAddon: Opt<boolean> = false;
  isActive: Opt<boolean> = true;
  createdAt: Opt<Date> = new Date();
  updatedAt: Opt<Date> = new Date();
}

export const TenantSchema = new EntitySchema<Tenant>({
  class: Tenant,
  tableName: "tenants",
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenantCode: { type: "string", length: 50, unique: true },
    name: { type: "string", length: 200 },
    businessType: { type: "string", length: 20 },
    description: { type: "text", nullable: true },
    logoUrl: { type: "string", length: 500, nullable: true },
    primaryColor: { type: "string", length: 7, nullable: true },
    secondaryColor: { type: "string", length: 7, nullable: true },
    fontFamily: { type: "string", length: 100, nullable: true },
    cornerRadiusPx: { type: "integer", nullable: true },
    customDomain: { type: "string", length: 255, nullable: true, unique: true },
    customDomainRequested: { type: "string", length: 255, nullable: true },
    customDomainToken: { type: "string", length: 64, nullable: true },
    customDomainVerifiedAt: { type: "datetime", length: 3, nullable: true },
    timezone: { type: "string", length: 64 },
    currency: { type: "string", length: 3 },
    locale: { type: "string", length: 10 },
    plan: { kind: "m:1", entity: () => SaasPlan },
    subscriptionStatus: { type: "string", length: 20, index: true },
    trialEndsAt: { type: "datetime", length: 3, nullable: true },
    maxUsers: { type: "integer" },
    maxBookingsPerMonth: { type: "integer" },
    maxEvents: { type: "integer" },
    storageLimitMb: { type: "integer" },
    holdTtlSeconds: { type: "integer", default: 600 },
    reminderMinutesBefore: { type: "integer", nullable: true },
    selfServiceCancel: { type: "boolean", default: true },
    selfServiceReschedule: { type: "boolean", default: true },
    selfServiceCutoffHours: { type: "integer", default: 24 },
    refundPolicy: { type: "string", length: 10, default: "full" },
    refundCutoffHours: { type: "integer", default: 24 },
    billingEmail: { type: "string", length: 255, nullable: true },
    billingAddress: { ...jsonColumn, nullable: true },
    paymentMethodId: { type: "string", length: 255, nullable: true },
    stripeCustomerId: { type: "string", length: 255, nullable: true, unique: true },
    stripeSubscriptionId: { type: "string", length: 255, nullable: true },
    billingInterval: { type: "string", length: 10, nullable: true },
    currentPeriodEnd: { type: "datetime", length: 3, nullable: true },
    subscriptionStatusAt: { type: "datetime", length: 3, nullable: true },
    extraUsers: { type: "integer", default: 0 },
    smsAddon: { type: "boolean", default: false },
    isActive: { type: "boolean" },
    createdAt: { type: "datetime", length: 3 },
    updatedAt: { type: "datetime", length: 3, onUpdate: () => new Date() },
  },
});
