import type { EngineServices } from "../../commands/command.js";
import { executeCommand, type CommandCall } from "../../commands/execute.js";
import type { Command } from "../../commands/command.js";
import type { TenantHint } from "../../commands/identity.js";

/** Which MCP endpoint a session belongs to. */
export type McpScope = "agent" | "public";

/** Who an MCP session acts for: fixed when the session starts, checked on every request. */
export interface McpCaller {
  scope: McpScope;
  /** The bearer credential the session was opened with, if any. */
  credential: string | undefined;
  tenantHint: TenantHint | undefined;
  ipAddress: string | undefined;
}

/** Runs one command for an MCP caller through the executor, like every other adapter. */
export function runForCaller<Output>(
  services: EngineServices,
  caller: McpCaller,
  command: Command<unknown, Output>,
  input: unknown,
  idempotencyKey?: string,
): Promise<Output> {
  const call: CommandCall = {
    input,
    credential: caller.credential,
    tenantHint: caller.tenantHint,
    protocol: "mcp",
    ipAddress: caller.ipAddress,
    idempotencyKey,
    // The public endpoint acts as the tenant's widget when no key is sent.
    publicWidget: caller.scope === "public",
  };
  return executeCommand(services, command, call);
}
