import { z } from "zod";
import { errors } from "../domain/app-error.js";
import { refundPolicies } from "../domain/payments.js";
import { describePrincipal } from "../domain/principal.js";
import { apiKeyKinds, apiKeyModes, businessTypes } from "../domain/tenancy.js";
import { ApiKey, Calendar, Tenant } from "../store/entities/index.js";
import { issueApiKey, revokeApiKey, summarizeApiKey } from "../tenants/api-keys.js";
import { recordAudit } from "../tenants/audit.js";
import { signUpTenant } from "../tenants/onboarding.js";
import { logInStaff } from "../tenants/staff-login.js";
import { assertTenantServing } from "../tenants/tenant-status.js";
import { suspendIfTrialOver } from "../tenants/trial-expiry.js";
import { recordTenantUpdated } from "../tenants/tenant-events.js";
import { viewSelfService, viewTenant } from "../tenants/tenant-view.js";
import { askActor } from "./actor-errors.js";
import { nudgeOutbox } from "./outbox-nudge.js";
import { trialExpiryDeps } from "./plan-enforcement.js";
import { defineCommand, tenantOf, type CommandContext, tenantManagers } from "./command.js";
import { sendVerificationEmail } from "./onboarding-commands.js";
import {
  emailSchema,
  idSchema,
  originSchema,
  tenantCodeSchema,
  timeZoneSchema,
} from "./schemas.js";

/** Self-service signup: tenant on a starter trial, owner user, secret and publishable keys. */
export const signUp = defineCommand({
  name: "tenants.signup",
  summary: "Create a tenant on a 14-day starter trial with its owner and first keys.",
  access: { kind: "public" },
  input: z.object({
    tenantCode: tenantCodeSchema,
    name: z.string().trim().min(1).max(200),
    businessType: z.enum(businessTypes),
    email: emailSchema,
    password: z.string().min(10, "use at least 10 characters").max(200),
    timezone: timeZoneSchema.optional(),
  }),
  async run({ services, em, origin }, input) {
    const result = await signUpTenant(em, input, services.secrets.keyPepper, origin);
    // After the commit: the send runs in the background and cannot fail the signup.
    await sendVerificationEmail(services, result.tenant, result.owner);
    return {
      tenant: viewTenant(result.tenant),
      user: { id: result.owner.id, email: result.owner.email, role: result.owner.role },
      keys: result.keys,
    };
  },
});

/** Staff login: email and password of one tenant for a staff token. */
export const logIn = defineCommand({
  name: "auth.login",
  summary:
    "Exchange a staff member's email and password for a staff token (a suspended tenant's token reaches billing only).",
  access: { kind: "public" },
  input: z.object({
    tenantCode: tenantCodeSchema,
    email: emailSchema,
    password: z.string().min(1).max(200),
  }),
  async run({ services, em }, input) {
    const tenant = await em.findOne(Tenant, { tenantCode: input.tenantCode, isActive: true });
    if (!tenant) throw errors.invalidCredentials();
    // A suspended tenant's staff may still sign in, to reach billing and pay; every other
    // call of theirs answers 402 until then. A cancelled tenant is closed.
    await suspendIfTrialOver(trialExpiryDeps(services), tenant);
    if (tenant.subscriptionStatus !== "suspended") assertTenantServing(tenant);

    const scoped = services.db.forkForTenant(tenant.id);
    const session = await logInStaff(scoped, tenant, input, services.secrets.jwtKey);
    return {
      token: session.token,
      expiresAt: session.expiresAt.toISOString(),
      user: { id: session.user.id, email: session.user.email, role: session.user.role },
      subscriptionStatus: tenant.subscriptionStatus,
    };
  },
});

/** The calling tenant's own record. */
export const getTenant = defineCommand({
  name: "tenant.get",
  summary: "Read the calling tenant: plan, subscription status and limits.",
  access: { kind: "tenant", credentials: ["secret", "agent", "staff"] },
  input: z.object({}),
  async run(context) {
    return viewTenant(tenantOf(context));
  },
});

/** What customers may change themselves; each field left out keeps its value. */
const selfServiceSchema = z
  .object({
    allowCancel: z.boolean().optional(),
    allowReschedule: z.boolean().optional(),
    cutoffHours: z.number().int().min(0).max(8760).optional(),
  })
  .strict();

function assignSelfService(tenant: Tenant, change: z.output<typeof selfServiceSchema>): void {
  if (change.allowCancel !== undefined) tenant.selfServiceCancel = change.allowCancel;
  if (change.allowReschedule !== undefined) tenant.selfServiceReschedule = change.allowReschedule;
  if (change.cutoffHours !== undefined) tenant.selfServiceCutoffHours = change.cutoffHours;
}

/** Changes the calling tenant's own settings. */
export const updateTenant = defineCommand({
  name: "tenant.update",
  summary:
    "Change the tenant's name, time zone, how long holds last (60–3600 seconds), what customers may change themselves, refunds, or when customers are reminded.",
  access: tenantManagers,
  input: z
    .object({
      name: z.string().trim().min(1).max(200).optional(),
      timezone: timeZoneSchema.optional(),
      holdTtlSeconds: z.number().int().min(60).max(3600).optional(),
      selfService: selfServiceSchema.optional(),
      refundPolicy: z.enum(refundPolicies).optional(),
      refundCutoffHours: z.number().int().min(0).max(8760).optional(),
      reminderMinutesBefore: z.number().int().min(5).max(10_080).nullable().optional(),
    })
    .refine((input) => Object.values(input).some((value) => value !== undefined), {
      message:
        "give at least one of name, timezone, holdTtlSeconds, selfService, refundPolicy, refundCutoffHours, reminderMinutesBefore",
    }),
  async run(context, input) {
    const tenant = await context.em.findOneOrFail(
      Tenant,
      { id: tenantOf(context).id },
      {
        populate: ["plan"],
      },
    );
    const before = {
      name: tenant.name,
      timezone: tenant.timezone,
      holdTtlSeconds: tenant.holdTtlSeconds,
      selfService: viewSelfService(tenant),
      refundPolicy: tenant.refundPolicy,
      refundCutoffHours: tenant.refundCutoffHours,
      reminderMinutesBefore: tenant.reminderMinutesBefore,
    };
    const { selfService, ...settings } = input;
    context.em.assign(
      tenant,
      Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)),
    );
    if (selfService) assignSelfService(tenant, selfService);
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "tenant.updated",
      entityType: "tenant",
      entityId: tenant.id,
      summary: { before, after: input },
    });
    recordTenantUpdated(context.em, tenant, { before, after: input });
    await context.em.flush();
    context.services.identities.invalidate({ kind: "tenant", id: tenant.id });
    nudgeOutbox(context.services, tenant.id);
    // Calendar actors keep the hold length and the reminder time in memory.
    if (input.holdTtlSeconds !== undefined || input.reminderMinutesBefore !== undefined) {
      await reloadCalendars(context, tenant.id);
    }
    return { ...viewTenant(tenant), holdTtlSeconds: tenant.holdTtlSeconds };
  },
});

/** Calendar actors cache the hold length; tell each of the tenant's calendars to reload. */
async function reloadCalendars(context: CommandContext, tenantId: string): Promise<void> {
  const calendars = await context.em.find(Calendar, { isActive: true }, { fields: ["id"] });
  for (const calendar of calendars) {
    const ask = context.services.actors.ask(`calendar:${calendar.id}`, { op: "reload", tenantId });
    await askActor(ask);
  }
}

/** Issues a new API key; the key is in this answer only. */
export const createKey = defineCommand({
  name: "keys.create",
  summary: "Create an API key (secret, publishable or agent); the key is shown only once.",
  access: tenantManagers,
  input: z
    .object({
      kind: z.enum(apiKeyKinds),
      mode: z.enum(apiKeyModes).default("live"),
      name: z.string().trim().min(1).max(100).optional(),
      allowedOrigins: z.array(originSchema).max(20).optional(),
    })
    .refine((input) => input.kind === "publishable" || input.allowedOrigins === undefined, {
      message: "only publishable keys have allowed origins",
      path: ["allowedOrigins"],
    }),
  async run(context, input) {
    const tenant = tenantOf(context);
    const createdBy = describePrincipal(context.principal).id ?? undefined;
    const pepper = context.services.secrets.keyPepper;
    const { record, key } = issueApiKey(context.em, tenant.id, { ...input, createdBy }, pepper);
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "api_key.created",
      entityType: "api_key",
      entityId: record.id,
      summary: { kind: record.kind, mode: record.mode, prefix: record.prefix },
    });
    await context.em.flush();
    return { ...summarizeApiKey(record), key };
  },
});

/** Lists the tenant's keys by prefix, never the keys themselves. */
export const listKeys = defineCommand({
  name: "keys.list",
  summary: "List the tenant's API keys with their visible prefixes.",
  access: tenantManagers,
  input: z.object({}),
  async run({ em }) {
    const keys = await em.find(ApiKey, {}, { orderBy: { id: "asc" } });
    return { data: keys.map(summarizeApiKey) };
  },
});

/** Revokes a key at once. */
export const revokeKey = defineCommand({
  name: "keys.revoke",
  summary: "Revoke an API key; it stops working at once.",
  access: tenantManagers,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const tenant = tenantOf(context);
    const record = await revokeApiKey(context.em, input.id);
    context.services.identities.invalidate({ kind: "key", id: record.id });
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "api_key.revoked",
      entityType: "api_key",
      entityId: record.id,
      summary: { prefix: record.prefix },
    });
    await context.em.flush();
    return summarizeApiKey(record);
  },
});
