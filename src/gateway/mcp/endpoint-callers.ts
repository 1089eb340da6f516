import type { EngineServices } from "../../commands/command.js";
import { commands } from "../../commands/registry.js";
import { errors, isAppError, type AppError } from "../../domain/app-error.js";
import { httpStatusOf } from "../error-status.js";
import type { HttpContext } from "../http/http-state.js";
import { credentialOf, tenantHintOf } from "../http/request-identity.js";
import { rebindingRefusal } from "./host-guard.js";
import { refuse, rpc } from "./json-rpc-refusal.js";
import { runForCaller, type McpCaller } from "./mcp-caller.js";
import { resourceMetadataUrl } from "./resource-metadata.js";

/** Answers 403 to a Host or Origin this engine does not serve (DNS rebinding). */
export function refuseRebinding(ctx: HttpContext, services: EngineServices): boolean {
  const refusal = rebindingRefusal(ctx.get("host"), ctx.get("origin"), services.config.baseDomain);
  if (refusal === undefined) return false;
  refuse(ctx, 403, rpc.invalidRequest, `forbidden: ${refusal}`);
  return true;
}

/** The caller of `/mcp`: its key must pass a cheap command, or the answer is 401/403. */
export async function agentCaller(
  ctx: HttpContext,
  services: EngineServices,
): Promise<McpCaller | undefined> {
  const challenge = `Bearer resource_metadata="${resourceMetadataUrl(baseUrlOf(ctx))}"`;
  let credential: string | undefined;
  try {
    credential = credentialOf(ctx);
  } catch (err) {
    return refuseCaller(ctx, err as AppError, challenge);
  }
  if (credential === undefined) return refuseCaller(ctx, errors.unauthenticated(), challenge);

  const caller: McpCaller = {
    scope: "agent",
    credential,
    tenantHint: tenantHintOf(ctx, services.config.baseDomain, undefined),
    ipAddress: ctx.ip,
  };
  try {
    await runForCaller(services, caller, commands.getTenant, {});
  } catch (err) {
    if (!isAppError(err)) throw err;
    return refuseCaller(ctx, err, challenge);
  }
  return caller;
}

/** The caller of `/mcp/t/:tenantCode`: no credential, or at most the tenant's publishable key. */
export function publicCaller(ctx: HttpContext, tenantCode: string): McpCaller | undefined {
  let credential: string | undefined;
  try {
    credential = credentialOf(ctx);
  } catch (err) {
    return refuseCaller(ctx, err as AppError, "Bearer");
  }
  if (credential !== undefined && !credential.startsWith("pk_")) {
    const message = "the public endpoint takes no key or a publishable key (pk_…); use /mcp";
    return refuseCaller(
      ctx,
      errors.insufficientScope("non-publishable", ["publishable"]),
      "",
      message,
    );
  }
  return {
    scope: "public",
    credential,
    tenantHint: { value: tenantCode.toLowerCase(), source: "path" },
    ipAddress: ctx.ip,
  };
}

function refuseCaller(ctx: HttpContext, error: AppError, challenge: string, message?: string) {
  const status = httpStatusOf[error.code];
  if (status === 401 && challenge) ctx.set("WWW-Authenticate", challenge);
  refuse(ctx, status, rpc.refused, message ?? error.message, { code: error.code });
  return undefined;
}

/** The engine's address as this request reached it: scheme, host and port. */
export function baseUrlOf(ctx: HttpContext): string {
  return `${ctx.protocol}://${ctx.host}`;
}
