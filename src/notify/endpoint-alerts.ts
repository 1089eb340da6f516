import type { Config } from "../config.js";
import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { Tenant, User } from "../store/entities/index.js";
import { brandOf, webhookDisabledMessage } from "./email-templates.js";
import { publicBaseOf } from "./links.js";
import type { Mailer } from "./mailer.js";

const log = moduleLogger("notify:webhooks");

/**
 * Tells a tenant that one of its webhook endpoints was turned off after its retries ran out:
 * an email to its owners and billing address (recorded in the email log either way).
 */
export async function tellEndpointDisabled(
  db: Database,
  mailer: Mailer,
  config: Config,
  endpoint: { id: string; tenantId: string; url: string; reason: string },
): Promise<void> {
  log.warn({ endpoint: endpoint.id, tenant: endpoint.tenantId }, "webhook endpoint turned off");
  try {
    const em = db.forkForTenant(endpoint.tenantId);
    const tenant = await em.findOne(Tenant, { id: endpoint.tenantId });
    if (!tenant) return;
    const owners = await em.find(User, { role: "owner", isActive: true }, { fields: ["email"] });
    const recipients = new Set(owners.map((owner) => owner.email));
    if (tenant.billingEmail) recipients.add(tenant.billingEmail);
    const message = webhookDisabledMessage(brandOf(tenant), {
      url: endpoint.url,
      reason: endpoint.reason,
      dashboardLink: `${publicBaseOf(config)}/dashboard/`,
    });
    for (const to of recipients) mailer.send({ tenantId: tenant.id, to, ...message });
  } catch (error) {
    log.error(
      { err: error, endpoint: endpoint.id },
      "could not tell the tenant about its endpoint",
    );
  }
}
