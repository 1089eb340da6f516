import type { AnyCommand, EngineServices } from "../../commands/command.js";
import { executeCommand } from "../../commands/execute.js";
import type { TenantHint } from "../../commands/identity.js";
import type { AppError } from "../../domain/app-error.js";
import type { AvailabilityWatchers } from "./availability-stream.js";

/**
 * Who sent a GraphQL operation, as every resolver sees it (the operation's context value).
 * A type rather than an interface, so it fits graphql-http's record-shaped context.
 */
export type GraphqlCaller = {
  services: EngineServices;
  /** The bearer credential as presented, if any. */
  credential: string | undefined;
  /** A credential that could not even be read (another authorization scheme): every call fails. */
  credentialProblem?: AppError | undefined;
  tenantHint: TenantHint | undefined;
  browserOrigin?: string | undefined;
  ipAddress?: string | undefined;
  requestId?: string | undefined;
  /** Present on WebSocket connections, where subscriptions run. */
  watchers?: AvailabilityWatchers | undefined;
};

/** Runs one command as the caller; its `AppError`s become GraphQL errors in the gateway. */
export async function runAs<Output>(
  caller: GraphqlCaller,
  command: AnyCommand,
  input: unknown,
  idempotencyKey?: string,
): Promise<Output> {
  if (caller.credentialProblem) throw caller.credentialProblem;
  const output = await executeCommand(caller.services, command, {
    input: withoutNulls(input),
    credential: caller.credential,
    tenantHint: caller.tenantHint,
    browserOrigin: caller.browserOrigin,
    protocol: "graphql",
    ipAddress: caller.ipAddress,
    requestId: caller.requestId,
    idempotencyKey,
  });
  return output as Output;
}

/** The tenant a request names through `X-Tenant-ID` (or a connection's `tenant` field). */
export function headerTenantHint(value: unknown): TenantHint | undefined {
  if (typeof value !== "string" || value.trim() === "") return undefined;
  return { value: value.trim().toLowerCase(), source: "header" };
}

/**
 * GraphQL passes an explicit `null` for an optional argument; the commands know only absent
 * fields, so nulls are dropped (in nested input objects too).
 */
function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).filter(
    ([, field]) => field !== null && field !== undefined,
  );
  return Object.fromEntries(entries.map(([key, field]) => [key, withoutNulls(field)]));
}
