import type { EntityManager } from "@mikro-orm/core";
import type { LimitUsage, StorageUsage } from "../domain/plan-limits.js";
import { SmsMessage, type Tenant } from "../store/entities/index.js";
import { userUsage } from "../tenants/staff-users.js";
import { storageUsage } from "../tenants/uploads.js";

/** Text messages sent this period, and whether the tenant has the SMS add-on. */
export interface SmsUsage {
  sent: number;
  addon: boolean;
}

/**
 * The parts of `GET /api/v1/usage` beyond bookings: active users, stored bytes, and text
 * messages sent in the period (`[fromMs, toMs)`, the bookings' calendar month).
 */
export async function seatAndStorageUsage(
  em: EntityManager,
  tenant: Tenant,
  period: { fromMs: number; toMs: number },
): Promise<{ users: LimitUsage; storage: StorageUsage; sms: SmsUsage }> {
  const sent = await em.count(SmsMessage, {
    status: "sent",
    createdAt: { $gte: new Date(period.fromMs), $lt: new Date(period.toMs) },
  });
  return {
    users: await userUsage(em, tenant),
    storage: await storageUsage(em, tenant),
    sms: { sent, addon: tenant.smsAddon },
  };
}
