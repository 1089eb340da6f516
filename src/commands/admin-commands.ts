import { z } from "zod";
import { planSlugs, subscriptionStatuses } from "../domain/tenancy.js";
import { listTenantsForAdmin, updateTenantForAdmin } from "../tenants/platform-admin.js";
import { askActor } from "./actor-errors.js";
import { defineCommand } from "./command.js";
import { pageLimitSchema, tenantCodeSchema } from "./schemas.js";

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
    services.identities.invalidate({ kind: "tenant", id: tenant.id });
    // The tenant actor caches the plan's limit; a new plan applies from the next booking.
    await askActor(services.actors.ask(`tenant:${tenant.id}`, { op: "reload" }));
    return tenant;
  },
});
