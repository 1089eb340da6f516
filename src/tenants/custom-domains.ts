import { randomBytes } from "node:crypto";
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { EntityManager } from "@mikro-orm/core";
import { Tenant } from "../store/entities/index.js";

/** The label in front of a custom domain that carries its verification record. */
export const challengeLabel = "_vbwd-challenge";

/** What the TXT record's value starts with; the token follows. */
export const challengePrefix = "vbwd-verify=";

/** The DNS record a tenant creates to prove it controls `domain`. */
export interface DomainChallenge {
  type: "TXT";
  name: string;
  value: string;
}

/** The record that proves control of `domain` with `token`. */
export function challengeFor(domain: string, token: string): DomainChallenge {
  return { type: "TXT", name: `${challengeLabel}.${domain}`, value: `${challengePrefix}${token}` };
}

/** A fresh verification token: 32 URL-safe characters, 192 random bits. */
export function newVerificationToken(): string {
  return randomBytes(24).toString("base64url");
}

const label = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * Checks a domain a tenant asks for and returns it in canonical form (lowercase, no final dot),
 * or says what is wrong with it: a host name of at least two labels under a real top-level
 * name, not an IP address, not localhost, and not `baseDomain` or a name under it (those are
 * the platform's own).
 */
export function checkCustomDomain(
  raw: string,
  baseDomain: string | undefined,
): { domain: string } | { problem: string } {
  const domain = raw.trim().toLowerCase().replace(/\.$/, "");
  if (domain === "") return { problem: "give a domain name such as booking.example.com" };
  if (domain.length > 253) return { problem: "a domain name has at most 253 characters" };
  if (isIP(domain) !== 0 || isIP(domain.replace(/^\[|\]$/g, "")) !== 0) {
    return { problem: "an IP address cannot be a custom domain; give a domain name" };
  }
  if (/[^\x21-\x7e]/.test(domain)) {
    return { problem: "write an international domain name in its ASCII (xn--) form" };
  }
  const labels = domain.split(".");
  if (labels.length < 2) return { problem: "give a full domain name such as booking.example.com" };
  for (const part of labels) {
    if (part.length > 63) return { problem: `the label "${part}" is longer than 63 characters` };
    if (!label.test(part)) {
      return {
        problem: `"${part || "(empty)"}" is not a valid label: use letters, digits and inner hyphens`,
      };
    }
  }
  if (/^\d+$/.test(labels.at(-1)!)) {
    return { problem: "the last label cannot be all digits; give a domain name, not an address" };
  }
  if (labels.at(-1) === "localhost") return { problem: "localhost cannot be a custom domain" };
  if (baseDomain && (domain === baseDomain || domain.endsWith(`.${baseDomain}`))) {
    return {
      problem: `${baseDomain} and the names under it are the platform's; give your own domain`,
    };
  }
  return { domain };
}

/**
 * The host a request may have reached a tenant's custom domain by, or undefined for a host
 * that cannot be one (localhost, an address, a bare name, `baseDomain` and the names under
 * it), so those never cost a lookup.
 */
export function customDomainCandidate(
  hostname: string,
  baseDomain: string | undefined,
): string | undefined {
  if (hostname === "" || hostname.length > 253) return undefined;
  const checked = checkCustomDomain(hostname, baseDomain);
  return "domain" in checked ? checked.domain : undefined;
}

/** The id of the active tenant whose verified custom domain is `host`, if any. */
export async function tenantIdOfDomain(em: EntityManager, host: string): Promise<string | null> {
  const tenant = await em.findOne(
    Tenant,
    { customDomain: host, customDomainVerifiedAt: { $ne: null }, isActive: true },
    { fields: ["id"] },
  );
  return tenant?.id ?? null;
}

/** What the resolver found at a domain's challenge name. */
export interface ChallengeLookup {
  /** Every TXT record there, each with its strings joined. */
  records: string[];
  /** The resolver's error code when the lookup itself failed (not merely found nothing). */
  error: string | undefined;
}

/**
 * Reads the TXT records at `_vbwd-challenge.<domain>` through `servers` (ip[:port] each), or the
 * system's resolvers when none are given. No record and no such name both find nothing.
 */
export async function lookUpChallenge(
  domain: string,
  servers: readonly string[] | undefined,
): Promise<ChallengeLookup> {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers([...servers]);
  try {
    const records = await resolver.resolveTxt(`${challengeLabel}.${domain}`);
    return { records: records.map((chunks) => chunks.join("")), error: undefined };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? "EUNKNOWN";
    if (code === "ENODATA" || code === "ENOTFOUND") return { records: [], error: undefined };
    return { records: [], error: code };
  }
}
