/** The SaaS plans a tenant can be on, cheapest first. */
export const planSlugs = ["starter", "professional", "business", "enterprise"] as const;
export type PlanSlug = (typeof planSlugs)[number];

/** Where a tenant's subscription stands; suspended and cancelled tenants are refused. */
export const subscriptionStatuses = ["trial", "active", "suspended", "cancelled"] as const;
export type SubscriptionStatus = (typeof subscriptionStatuses)[number];

/** The kinds of business VBWD serves. */
export const businessTypes = [
  "medical",
  "legal",
  "education",
  "consulting",
  "venue",
  "other",
] as const;
export type BusinessType = (typeof businessTypes)[number];

/** API key kinds: server-side, browser-side (widget), and AI agents. */
export const apiKeyKinds = ["secret", "publishable", "agent"] as const;
export type ApiKeyKind = (typeof apiKeyKinds)[number];

/** Test keys and live keys are kept apart. */
export const apiKeyModes = ["test", "live"] as const;
export type ApiKeyMode = (typeof apiKeyModes)[number];

/** Staff roles, most powerful first. */
export const staffRoles = ["owner", "admin", "staff"] as const;
export type StaffRole = (typeof staffRoles)[number];

/** The prefix each key kind starts with, before its mode: `sk_live_…`. */
export const apiKeyPrefixes: Record<ApiKeyKind, string> = {
  secret: "sk",
  publishable: "pk",
  agent: "ak",
};

/** Days a new tenant's trial lasts. */
export const trialDays = 14;

/** Limit value meaning "no limit". */
export const unlimited = -1;

/** Tenant codes are subdomain labels: lowercase letters, digits and inner hyphens. */
export const tenantCodePattern = /^[a-z0-9](?:[a-z0-9-]{1,48}[a-z0-9])$/;

/** Codes that would collide with the platform's own host names or paths. */
export const reservedTenantCodes: ReadonlySet<string> = new Set([
  "www",
  "api",
  "app",
  "admin",
  "dashboard",
  "docs",
  "static",
  "widget",
  "mail",
  "status",
  "platform",
]);

/** True when `limit` allows one more after `used`. */
export function isWithinLimit(used: number, limit: number): boolean {
  return limit === unlimited || used < limit;
}
