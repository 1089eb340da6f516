import type { Principal } from "../domain/principal.js";
import type { Tenant } from "../store/entities/index.js";

/** What to forget everywhere when a credential, tenant or custom domain changes. */
export type Invalidation =
  { kind: "key"; id: string } | { kind: "tenant"; id: string } | { kind: "host"; host: string };

interface Entry<T> {
  value: T;
  expiresAt: number;
  tenantId: string | undefined;
  keyId: string | undefined;
}

/**
 * Recently checked credentials and tenants, so a request does not read the key, the user and
 * the tenant again. Entries live `ttlMs` at most; a revoked key or a changed tenant is
 * forgotten at once on this node and, through `broadcast`, on every other.
 */
export class IdentityCache {
  private readonly principals = new Map<string, Entry<Principal>>();
  private readonly tenants = new Map<string, Entry<Tenant>>();
  /** Custom-domain hosts to the tenant whose verified domain each is, or null for none. */
  private readonly hosts = new Map<string, Entry<string | null>>();
  private readonly ttlMs: number;
  private readonly limit: number;
  broadcast: (change: Invalidation) => void = () => {};

  constructor(ttlMs = 30_000, limit = 50_000) {
    this.ttlMs = ttlMs;
    this.limit = limit;
  }

  /** The principal a credential (or its hash) stood for, if still fresh. */
  principal(credential: string): Principal | undefined {
    return fresh(this.principals, credential);
  }

  rememberPrincipal(credential: string, principal: Principal, expiresAt = Infinity): void {
    const tenantId = "tenantId" in principal ? principal.tenantId : undefined;
    const keyId = "keyId" in principal ? principal.keyId : undefined;
    const until = Math.min(Date.now() + this.ttlMs, expiresAt);
    remember(
      this.principals,
      credential,
      { value: principal, expiresAt: until, tenantId, keyId },
      this.limit,
    );
  }

  /** A tenant read recently, if still fresh. */
  tenant(id: string): Tenant | undefined {
    return fresh(this.tenants, id);
  }

  rememberTenant(tenant: Tenant): void {
    const entry = {
      value: tenant,
      expiresAt: Date.now() + this.ttlMs,
      tenantId: tenant.id,
      keyId: undefined,
    };
    remember(this.tenants, tenant.id, entry, this.limit);
  }

  /**
   * The tenant id a custom-domain host stands for: a string, null when the host is known to
   * be no tenant's verified domain, or undefined when not known (or no longer fresh).
   */
  tenantOfHost(host: string): string | null | undefined {
    return fresh(this.hosts, host);
  }

  rememberHost(host: string, tenantId: string | null): void {
    const entry = {
      value: tenantId,
      expiresAt: Date.now() + this.ttlMs,
      tenantId: tenantId ?? undefined,
      keyId: undefined,
    };
    remember(this.hosts, host, entry, this.limit);
  }

  /** Forgets here and tells the other nodes to forget too. */
  invalidate(change: Invalidation): void {
    this.forget(change);
    this.broadcast(change);
  }

  /** Forgets on this node only (what a broadcast from another node does). */
  forget(change: Invalidation): void {
    if (change.kind === "host") {
      this.hosts.delete(change.host);
      return;
    }
    if (change.kind === "tenant") {
      this.tenants.delete(change.id);
      for (const [credential, entry] of this.principals) {
        if (entry.tenantId === change.id) this.principals.delete(credential);
      }
      for (const [host, entry] of this.hosts) {
        if (entry.tenantId === change.id) this.hosts.delete(host);
      }
      return;
    }
    for (const [credential, entry] of this.principals) {
      if (entry.keyId === change.id) this.principals.delete(credential);
    }
  }
}

function fresh<T>(map: Map<string, Entry<T>>, key: string): T | undefined {
  const entry = map.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt > Date.now()) return entry.value;
  map.delete(key);
  return undefined;
}

function remember<T>(map: Map<string, Entry<T>>, key: string, entry: Entry<T>, limit: number) {
  if (map.size >= limit) map.clear();
  map.set(key, entry);
}
