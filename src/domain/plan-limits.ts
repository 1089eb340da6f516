import { unlimited, type SubscriptionStatus } from "./tenancy.js";

/** How much of one limit is used (limit −1 = unlimited). */
export interface LimitUsage {
  used: number;
  limit: number;
}

/** Storage in bytes against the plan's allowance (−1 = unlimited). */
export interface StorageUsage {
  usedBytes: number;
  limitBytes: number;
}

/** The part of a tenant the user limit is computed from. */
export interface SeatAllowance {
  /** Users the plan includes (−1 = unlimited). */
  maxUsers: number;
  /** Users bought on top of the plan, once the tenant has such an add-on. */
  extraUsers?: number | null;
}

/** True when `adding` more fit next to `used` under `limit` (−1 = unlimited). */
export function hasRoomFor(used: number, limit: number, adding = 1): boolean {
  return limit === unlimited || used + adding <= limit;
}

/** Users bought on top of the plan; 0 for a tenant without the add-on. */
export function addOnUsers(tenant: SeatAllowance): number {
  return Math.max(0, tenant.extraUsers ?? 0);
}

/** The users a tenant may have: the plan's users plus any bought on top (−1 = unlimited). */
export function userLimitOf(tenant: SeatAllowance): number {
  if (tenant.maxUsers === unlimited) return unlimited;
  return tenant.maxUsers + addOnUsers(tenant);
}

/** A limit in megabytes as bytes (−1 stays −1). */
export function bytesFromMb(megabytes: number): number {
  return megabytes === unlimited ? unlimited : megabytes * 1024 * 1024;
}

/** True when a tenant's trial has run out at `now` (only trial tenants have one to run out). */
export function isTrialOver(
  tenant: { subscriptionStatus: SubscriptionStatus; trialEndsAt: Date | null },
  now: Date,
): boolean {
  if (tenant.subscriptionStatus !== "trial" || tenant.trialEndsAt === null) return false;
  return tenant.trialEndsAt.getTime() <= now.getTime();
}
