import { UniqueConstraintViolationException } from "@mikro-orm/core";
import { z } from "zod";
import { errors } from "../domain/app-error.js";
import { Tenant } from "../store/entities/index.js";
import { recordAudit } from "../tenants/audit.js";
import { requireCustomDomains } from "../tenants/plan-gates.js";
import {
  challengeFor,
  challengePrefix,
  checkCustomDomain,
  lookUpChallenge,
  newVerificationToken,
} from "../tenants/custom-domains.js";
import { defineCommand, tenantOf, type CommandContext } from "./command.js";

const owners = { kind: "tenant", credentials: ["secret", "staff"], roles: ["owner"] } as const;

/** Where a tenant's custom domain stands. */
const domainStatusOutput = z.object({
  domain: z.string().nullable(),
  status: z.enum(["none", "pending", "verified"]),
  verifiedAt: z.iso.datetime({ offset: true }).nullable(),
  dnsRecord: z
    .object({ type: z.literal("TXT"), name: z.string(), value: z.string() })
    .nullable()
    .describe("The record that proves control of the domain; create it at your DNS provider."),
});

type DomainStatus = z.infer<typeof domainStatusOutput>;

function statusOf(tenant: Tenant): DomainStatus {
  const domain = tenant.customDomainRequested;
  if (domain === null || tenant.customDomainToken === null) {
    return { domain: null, status: "none", verifiedAt: null, dnsRecord: null };
  }
  const verified = tenant.customDomain === domain && tenant.customDomainVerifiedAt !== null;
  return {
    domain,
    status: verified ? "verified" : "pending",
    verifiedAt: verified ? tenant.customDomainVerifiedAt!.toISOString() : null,
    dnsRecord: challengeFor(domain, tenant.customDomainToken),
  };
}

async function loadTenant(context: CommandContext): Promise<Tenant> {
  return context.em.findOneOrFail(Tenant, { id: tenantOf(context).id });
}

/** Forgets the tenant and the hosts that named or may have named it, on every node. */
function forgetDomain(context: CommandContext, tenantId: string, hosts: (string | null)[]) {
  const identities = context.services.identities;
  for (const host of new Set(hosts))
    if (host !== null) identities.invalidate({ kind: "host", host });
  identities.invalidate({ kind: "tenant", id: tenantId });
}

async function assertNotTakenByOther(context: CommandContext, domain: string, tenantId: string) {
  const holder = await context.em.findOne(
    Tenant,
    { customDomain: domain, id: { $ne: tenantId } },
    { fields: ["id"] },
  );
  if (holder) throw errors.domainTaken(domain);
}

/** The tenant's custom domain and the DNS record that verifies it. */
export const getCustomDomain = defineCommand({
  name: "tenant.domain.get",
  summary: "Read the tenant's custom domain: none, pending verification, or verified.",
  access: owners,
  input: z.object({}),
  output: domainStatusOutput,
  async run(context) {
    return statusOf(await loadTenant(context));
  },
});

/** Asks for a custom domain; it serves only once its DNS record is verified. */
export const setCustomDomain = defineCommand({
  name: "tenant.domain.set",
  summary:
    "Set the tenant's custom domain (such as booking.example.com); it stays pending until the " +
    "TXT record this answers with is created and verified. Replaces any earlier domain.",
  access: owners,
  input: z.object({ domain: z.string().max(300) }),
  output: domainStatusOutput,
  async run(context, input) {
    requireCustomDomains(tenantOf(context));
    const checked = checkCustomDomain(input.domain, context.services.config.baseDomain);
    if ("problem" in checked) {
      throw errors.invalidInput([{ path: "domain", message: checked.problem }]);
    }
    const domain = checked.domain;
    const tenant = await loadTenant(context);
    // Asking again for the same domain changes nothing: the record made for it stays valid.
    if (tenant.customDomainRequested === domain && tenant.customDomainToken !== null) {
      return statusOf(tenant);
    }
    await assertNotTakenByOther(context, domain, tenant.id);

    const before = statusOf(tenant);
    const previous = tenant.customDomain;
    tenant.customDomain = null;
    tenant.customDomainVerifiedAt = null;
    tenant.customDomainRequested = domain;
    tenant.customDomainToken = newVerificationToken();
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "tenant.domain.requested",
      entityType: "tenant",
      entityId: tenant.id,
      summary: { before: before.domain, after: domain },
    });
    await context.em.flush();
    forgetDomain(context, tenant.id, [previous, domain]);
    return statusOf(tenant);
  },
});

/** Checks the domain's TXT record and, when it carries the token, makes the domain serve. */
export const verifyCustomDomain = defineCommand({
  name: "tenant.domain.verify",
  summary:
    "Verify the pending custom domain: looks up its _vbwd-challenge TXT record and, when it " +
    "carries the token, the domain serves the tenant from then on.",
  access: owners,
  input: z.object({}),
  output: domainStatusOutput,
  async run(context) {
    requireCustomDomains(tenantOf(context));
    const tenant = await loadTenant(context);
    const domain = tenant.customDomainRequested;
    const token = tenant.customDomainToken;
    if (domain === null || token === null) {
      throw errors.conflict("no custom domain is set; PUT /api/v1/tenant/domain { domain } first");
    }
    if (statusOf(tenant).status === "verified") return statusOf(tenant);
    await assertNotTakenByOther(context, domain, tenant.id);

    const expected = challengeFor(domain, token);
    const lookup = await lookUpChallenge(domain, context.services.config.dnsServers);
    if (lookup.error !== undefined || !lookup.records.includes(expected.value)) {
      const found = lookup.records.filter((record) => record.startsWith(challengePrefix));
      throw errors.domainNotVerified(
        expected,
        found.length > 0 ? found : lookup.records,
        lookup.error,
      );
    }

    const verifiedAt = new Date();
    let changed: number;
    try {
      // Only if the domain and token are still the ones checked; the unique column makes sure
      // one tenant at most holds a verified domain, whoever verifies first.
      changed = await context.em.nativeUpdate(
        Tenant,
        { id: tenant.id, customDomainRequested: domain, customDomainToken: token },
        { customDomain: domain, customDomainVerifiedAt: verifiedAt, updatedAt: verifiedAt },
      );
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) throw errors.domainTaken(domain);
      throw err;
    }
    if (changed === 0) {
      throw errors.conflict("the custom domain changed while it was being verified; verify again");
    }
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "tenant.domain.verified",
      entityType: "tenant",
      entityId: tenant.id,
      summary: { domain },
    });
    await context.em.flush();
    forgetDomain(context, tenant.id, [domain]);
    tenant.customDomain = domain;
    tenant.customDomainVerifiedAt = verifiedAt;
    return statusOf(tenant);
  },
});

/** Removes the custom domain; it stops serving the tenant at once, on every node. */
export const removeCustomDomain = defineCommand({
  name: "tenant.domain.remove",
  summary: "Remove the tenant's custom domain, pending or verified; it stops serving at once.",
  access: owners,
  input: z.object({}),
  output: domainStatusOutput,
  async run(context) {
    const tenant = await loadTenant(context);
    const previous = [tenant.customDomain, tenant.customDomainRequested];
    if (previous.every((host) => host === null)) return statusOf(tenant);
    tenant.customDomain = null;
    tenant.customDomainVerifiedAt = null;
    tenant.customDomainRequested = null;
    tenant.customDomainToken = null;
    recordAudit(context.em, context.origin, {
      tenantId: tenant.id,
      action: "tenant.domain.removed",
      entityType: "tenant",
      entityId: tenant.id,
      summary: { domain: previous[1] },
    });
    await context.em.flush();
    forgetDomain(context, tenant.id, previous);
    return statusOf(tenant);
  },
});
