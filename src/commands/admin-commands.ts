import { z } from "zod";
import { planSlugs, subscriptionStatuses } from "../domain/tenancy.js";
import { Tenant } from "../store/entities/index.js";
import { listTenantsForAdmin, updateTenantForAdmin } from "../tenants/platform-admin.js";
import { defineCommand } from "./command.js";
import { pageLimitSchema, tenantCodeSchema } from "./schemas.js";
import { nudgeOutbox } from "./outbox-nudge.js";
import { refreshTenant } from "./tenant-refresh.js";

/** The platform operator's list of tenants. */
export const adminListTenants = defineCommand({
  name: "admin.tenants.list",
  summary: "List every tenant with plan, subscription status and usage (platform operator).",
  access: { kind: "platform" },
  input: z.object({ limit: pageLimitSchema, cursor: z.string().max(60).optional() }),
  async run({ em }, input) {
    return listTenantsForAdmin(em, input);
  },
});

/** The platform operator changes a tenant's status or plan. */
export const adminUpdateTenant = defineCommand({
  name: "admin.tenants.update",
  summary: "Change a tenant's subscription status or plan (platform operator).",
  access: { kind: "platform" },
  input: z
    .object({
      code: tenantCodeSchema,
      subscriptionStatus: z.enum(subscriptionStatuses).optional(),
      planSlug: z.enum(planSlugs).optional(),
    })
    .refine((input) => input.subscriptionStatus !== undefined || input.planSlug !== undefined, {
      message: "give subscriptionStatus, planSlug or both",
    }),
  async run({ em, origin, services }, input) {
    const tenant = await updateTenantForAdmin(em, input.code, input, origin);
    await refreshTenant(services, tenant.id);
    nudgeOutbox(services, tenant.id);
    return tenant;
  },
});

/**
 * Every verified custom domain with its tenant, for the certificate automation: whatever
 * issues certificates (cert-manager, see docs/custom-domains.md) reads this list.
 */
export const adminListDomains = defineCommand({
  name: "admin.domains.list",
  summary:
    "List every verified custom domain and its tenant, for certificate automation (platform operator).",
  access: { kind: "platform" },
  output: z.object({
    data: z.array(
      z.object({
        domain: z.string(),
        tenantCode: z.string(),
        subscriptionStatus: z.enum(subscriptionStatuses),
        verifiedAt: z.iso.datetime({ offset: true }),
      }),
    ),
  }),
  input: z.object({}),
  async run({ em }) {
    const tenants = await em.find(
      Tenant,
      { customDomain: { $ne: null }, customDomainVerifiedAt: { $ne: null } },
      {
        fields: ["tenantCode", "customDomain", "customDomainVerifiedAt", "subscriptionStatus"],
        orderBy: { customDomain: "asc" },
      },
    );
    return {
      data: tenants.map((tenant) => ({
        domain: tenant.customDomain!,
        tenantCode: tenant.tenantCode,
        subscriptionStatus: tenant.subscriptionStatus,
        verifiedAt: tenant.customDomainVerifiedAt!.toISOString(),
      })),
    };
  },
});
