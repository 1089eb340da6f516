import type { EntityManager } from "@mikro-orm/core";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import { officeHours } from "../domain/weekly-hours.js";
import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { Calendar, Service, ServiceCalendar, Tenant } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { signUpTenant } from "./onboarding.js";
import type { PlatformSecrets } from "./platform-secrets.js";

const log = moduleLogger("tenants:demo");

/** The demo tenant's code. */
export const demoTenantCode = "demo";

/** How to sign in to the demo tenant; kept in the data folder so later starts can show it. */
export interface DemoCredentials {
  tenantCode: string;
  ownerEmail: string;
  ownerPassword: string;
  secretKey: string;
  publishableKey: string;
  calendarId: string;
  serviceId: string;
}

/**
 * Creates the `demo` tenant (a clinic open on weekdays with a 30-minute consultation) the
 * first time, and returns its credentials; `created` tells whether this start made it.
 * Returns undefined when the tenant exists but its credentials file is gone.
 */
export async function ensureDemoTenant(db: Database, secrets: PlatformSecrets, dataDir: string) {
  const file = join(dataDir, "demo-credentials.json");
  const existing = await db.fork().count(Tenant, { tenantCode: demoTenantCode });
  if (existing > 0) {
    return existsSync(file)
      ? { created: false, credentials: JSON.parse(readFileSync(file, "utf8")) as DemoCredentials }
      : undefined;
  }

  const credentials = await createDemoTenant(db, secrets);
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
  log.info({ tenant: demoTenantCode, file }, "demo tenant created");
  return { created: true, credentials };
}

async function createDemoTenant(db: Database, secrets: PlatformSecrets): Promise<DemoCredentials> {
  const ownerEmail = "owner@demo.vbwd.test";
  const ownerPassword = randomBytes(8).toString("hex");
  const signup = await signUpTenant(
    db.fork(),
    {
      tenantCode: demoTenantCode,
      name: "Demo Clinic",
      businessType: "medical",
      email: ownerEmail,
      password: ownerPassword,
      timezone: "Europe/Berlin",
      planSlug: "business",
      subscriptionStatus: "active",
    },
    secrets.keyPepper,
    { protocol: "system" },
  );
  const offer = await createDemoOffer(db.forkForTenant(signup.tenant.id), signup.tenant.id);
  return {
    tenantCode: demoTenantCode,
    ownerEmail,
    ownerPassword,
    secretKey: signup.keys.secret,
    publishableKey: signup.keys.publishable,
    ...offer,
  };
}

/**
 * Creates the sample offer, a calendar open on weekdays with a 30-minute consultation, with
 * `em` confined to the tenant; `calendarId` fixes the calendar's id (default: a new one).
 */
export async function createDemoOffer(
  em: EntityManager,
  tenantId: string,
  options: { timezone?: string; calendarId?: string } = {},
) {
  const now = new Date();
  const calendar = em.create(Calendar, {
    id: options.calendarId ?? newId(idPrefixes.calendar),
    tenant: tenantId,
    name: "Dr. Demo",
    timezone: options.timezone ?? "Europe/Berlin",
    weeklyHours: officeHours,
    slotIntervalMinutes: 30,
    createdAt: now,
    updatedAt: now,
  });
  const service = em.create(Service, {
    id: newId(idPrefixes.service),
    tenant: tenantId,
    name: "Consultation",
    durationMinutes: 30,
    priceCents: 5000,
    currency: "EUR",
    createdAt: now,
    updatedAt: now,
  });
  em.create(ServiceCalendar, { tenant: tenantId, service: service.id, calendar: calendar.id });
  await em.flush();
  return { calendarId: calendar.id, serviceId: service.id };
}
