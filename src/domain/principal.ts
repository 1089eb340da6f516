import type { ApiKeyKind, ApiKeyMode, StaffRole } from "./tenancy.js";

/** Who is calling, once their credentials have been checked. */
export type Principal =
  | { kind: "anonymous" }
  | { kind: "platform" }
  | {
      kind: ApiKeyKind;
      tenantId: string;
      keyId: string;
      mode: ApiKeyMode;
      allowedOrigins: readonly string[];
    }
  | { kind: "staff"; tenantId: string; userId: string; role: StaffRole };

/** Credential kinds a tenant call may accept. */
export type TenantCredentialKind = ApiKeyKind | "staff";

/** Principals that act inside one tenant. */
export type TenantPrincipal = Extract<Principal, { tenantId: string }>;

/** True when the principal belongs to a tenant (any key or a staff token). */
export function isTenantPrincipal(principal: Principal): principal is TenantPrincipal {
  return "tenantId" in principal;
}

/** A short description of who acted, for audit records and logs. */
export function describePrincipal(principal: Principal): { kind: string; id: string | null } {
  switch (principal.kind) {
    case "anonymous":
    case "platform":
      return { kind: principal.kind, id: null };
    case "staff":
      return { kind: "user", id: principal.userId };
    default:
      return { kind: principal.kind === "agent" ? "agent" : "key", id: principal.keyId };
  }
}
