import { EntitySchema, type Opt } from "@mikro-orm/core";
import type { PlanSlug } from "../../domain/tenancy.js";

/** A platform subscription plan with its limits (−1 = unlimited) and feature flags. */
export class SaasPlan {
  id!: number;
  name!: string;
  slug!: PlanSlug;
  monthlyPriceCents!: number;
  yearlyPriceCents: number | null = null;
  currency: Opt<string> = "USD";
  maxUsers!: number;
  maxBookingsPerMonth!: number;
  maxEvents!: number;
  maxTicketsPerEvent!: number;
  storageLimitMb!: number;
  rateLimitPerMinute!: number;
  customDomain: Opt<boolean> = false;
  whiteLabel: Opt<boolean> = false;
  apiAccess: Opt<boolean> = false;
  prioritySupport: Opt<boolean> = false;
  analyticsDashboard: Opt<boolean> = false;
  customIntegrations: Opt<boolean> = false;
  isActive: Opt<boolean> = true;
  isFeatured: Opt<boolean> = false;
  sortOrder: Opt<number> = 0;
  createdAt: Opt<Date> = new Date();
}

export const SaasPlanSchema = new EntitySchema<SaasPlan>({
  class: SaasPlan,
  tableName: "saas_plans",
  properties: {
    id: { type: "integer", primary: true, autoincrement: true },
    name: { type: "string", length: 100 },
    slug: { type: "string", length: 50, unique: true },
    monthlyPriceCents: { type: "integer" },
    yearlyPriceCents: { type: "integer", nullable: true },
    currency: { type: "string", length: 3 },
    maxUsers: { type: "integer" },
    maxBookingsPerMonth: { type: "integer" },
    maxEvents: { type: "integer" },
    maxTicketsPerEvent: { type: "integer" },
    storageLimitMb: { type: "integer" },
    rateLimitPerMinute: { type: "integer" },
    customDomain: { type: "boolean" },
    whiteLabel: { type: "boolean" },
    apiAccess: { type: "boolean" },
    prioritySupport: { type: "boolean" },
    analyticsDashboard: { type: "boolean" },
    customIntegrations: { type: "boolean" },
    isActive: { type: "boolean" },
    isFeatured: { type: "boolean" },
    sortOrder: { type: "integer" },
    createdAt: { type: "datetime", length: 3 },
  },
});
