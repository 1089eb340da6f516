import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import { errors } from "../domain/app-error.js";
import { Calendar, type Tenant } from "../store/entities/index.js";
import { createDemoOffer } from "./demo-tenant.js";

/** Sample customers of demo bookings; `.invalid` addresses are never mailed (RFC 2606). */
export const demoCustomers = [
  { name: "Ada Sample", email: "ada@demo.example.invalid" },
  { name: "Ben Sample", email: "ben@demo.example.invalid" },
  { name: "Cleo Sample", email: "cleo@demo.example.invalid" },
] as const;

/**
 * The demo calendar's id for a tenant: one per tenant, so two concurrent loads cannot both
 * create one (the second hits the primary key).
 */
export function demoCalendarId(tenant: Tenant): string {
  return `cal_demo${tenant.id.replace(/^ten_/, "").replace(/[^a-z0-9]/g, "")}`.slice(0, 44);
}

/**
 * Creates the sample calendar and service for a tenant that has no calendar yet; a tenant
 * with calendars (or one that loaded the demo before) is refused with 409 `conflict`.
 */
export async function createDemoCatalog(em: EntityManager, tenant: Tenant) {
  const existing = await em.count(Calendar, {});
  if (existing > 0) throw alreadySetUp(tenant);
  try {
    return await em.transactional((tx) =>
      createDemoOffer(tx, tenant.id, {
        timezone: tenant.timezone,
        calendarId: demoCalendarId(tenant),
      }),
    );
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw alreadySetUp(tenant);
    throw err;
  }
}

function alreadySetUp(tenant: Tenant) {
  return errors.conflict(
    `tenant ${tenant.tenantCode} already has calendars; demo data only fills an empty account`,
  );
}
