import type { EntityManager } from "@mikro-orm/core";
import type { z } from "zod";
import { errors, type FieldProblem } from "../domain/app-error.js";
import { isTenantPrincipal, type Principal, type TenantPrincipal } from "../domain/principal.js";
import type { Tenant } from "../store/entities/index.js";
import { noteKeyUsed } from "../tenants/key-usage.js";
import { assertTenantServing } from "../tenants/tenant-status.js";
import { assertApiAccess } from "../tenants/plan-gates.js";
import { suspendIfTrialOver } from "../tenants/trial-expiry.js";
import type { Command, CommandContext, EngineServices } from "./command.js";
import {
  identifyPrincipal,
  publicWidgetKeyId,
  publicWidgetPrincipal,
  resolveCallerTenant,
  type TenantHint,
} from "./identity.js";
import { fingerprint, runOnce } from "./idempotency.js";
import { trialExpiryDeps } from "./plan-enforcement.js";

/** A call of one command as an adapter received it, before any check. */
export interface CommandCall {
  /** The raw input: body, query and path parameters merged by the adapter. */
  input: unknown;
  /** The bearer credential as presented, if any. */
  credential?: string | undefined;
  /** The tenant the request names (header, path, subdomain), if any. */
  tenantHint?: TenantHint | undefined;
  /** The browser origin (`Origin` header), if any. */
  browserOrigin?: string | undefined;
  protocol: string;
  ipAddress?: string | undefined;
  requestId?: string | undefined;
  /** The `Idempotency-Key` the caller sent, if any. */
  idempotencyKey?: string | undefined;
  /** `scheme://host` the request reached, for links when `PUBLIC_URL` is unset. */
  requestBase?: string | undefined;
  /**
   * Without a credential, act as the public widget of the tenant the path names: a
   * publishable key's scope with no key. Only public endpoints (such as the per-tenant MCP
   * endpoint) set it.
   */
  publicWidget?: boolean;
  /**
   * A caller the adapter has already authenticated by other means than a credential (an
   * inbound webhook's verified signature); no credential is then looked at.
   */
  principal?: Principal | undefined;
}

/**
 * Runs a command for any protocol: identify the caller, check access and the tenant's
 * standing, validate the input, then run the handler. Throws `AppError`s only for callers'
 * mistakes; the adapter decides how they look.
 */
export async function executeCommand<Output>(
  services: EngineServices,
  command: Command<unknown, Output>,
  call: CommandCall,
): Promise<Output> {
  // Units of work are made only when a step needs the database; cached identities do not.
  const lookup = memoize(() => services.db.fork());
  const principal =
    call.principal ??
    (call.credential === undefined && call.publicWidget
      ? await publicWidgetPrincipal(services, lookup, call.tenantHint)
      : await identifyPrincipal(services, lookup, call.credential));
  const tenant = await authorize(services, lookup, command, principal, call);

  const input = validateInput(command.input, call.input);
  const key = command.idempotent && tenant ? checkIdempotencyKey(call.idempotencyKey) : undefined;
  const unitOfWork = memoize(() => (tenant ? services.db.forkForTenant(tenant.id) : lookup()));
  const context: CommandContext = {
    services,
    get em() {
      return unitOfWork();
    },
    tenant,
    principal,
    origin: {
      principal,
      protocol: call.protocol,
      ipAddress: call.ipAddress,
      requestId: call.requestId,
    },
    idempotencyKey: key,
    requestBase: call.requestBase,
  };
  const output =
    key && tenant
      ? await runOnce(context.em, tenant.id, key, fingerprint(command.name, input), () =>
          command.run(context, input),
        )
      : await command.run(context, input);

  if (!call.principal && "keyId" in principal && principal.keyId !== publicWidgetKeyId) {
    noteKeyUsed(services.db, principal.tenantId, principal.keyId);
  }
  return output;
}

async function authorize(
  services: EngineServices,
  em: () => EntityManager,
  command: Command<unknown, unknown>,
  principal: Principal,
  call: CommandCall,
): Promise<Tenant | undefined> {
  const access = command.access;
  if (access.kind === "public") return undefined;
  if (principal.kind === "anonymous") throw errors.unauthenticated();

  if (access.kind === "platform") {
    if (principal.kind !== "platform")
      throw errors.insufficientScope(principal.kind, ["platform token"]);
    return undefined;
  }

  if (!isTenantPrincipal(principal) || !access.credentials.includes(principal.kind)) {
    throw errors.insufficientScope(principal.kind, access.credentials);
  }
  const tenant = await resolveCallerTenant(services, em, principal.tenantId, call.tenantHint);
  await suspendIfTrialOver(trialExpiryDeps(services), tenant);
  if (!access.whileSuspended || tenant.subscriptionStatus !== "suspended") {
    assertTenantServing(tenant);
  }
  // Billing stays reachable with any credential, so a tenant can always upgrade or pay.
  if (!access.whileSuspended) assertApiAccess(tenant, principal);
  checkRole(principal, access.roles);
  checkBrowserOrigin(principal, call.browserOrigin);
  return tenant;
}

function checkRole(principal: TenantPrincipal, roles: readonly string[] | undefined): void {
  if (principal.kind !== "staff" || roles === undefined || roles.includes(principal.role)) return;
  throw errors.forbidden(`the ${principal.role} role cannot make this call; ask an owner or admin`);
}

function checkBrowserOrigin(principal: TenantPrincipal, origin: string | undefined): void {
  if (principal.kind !== "publishable" || origin === undefined) return;
  if (principal.allowedOrigins.length === 0 || principal.allowedOrigins.includes(origin)) return;
  throw errors.forbidden(`origin ${origin} is not allowed for this publishable key`);
}

function memoize<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

function checkIdempotencyKey(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw errors.invalidInput([
      { path: "Idempotency-Key", message: "use 1–255 visible ASCII characters" },
    ]);
  }
  return key;
}

function validateInput<T>(schema: z.ZodType<T>, raw: unknown): T {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const problems: FieldProblem[] = parsed.error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
  }));
  throw errors.invalidInput(problems);
}
