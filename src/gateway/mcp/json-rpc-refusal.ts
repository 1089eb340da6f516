import type { HttpContext } from "../http/http-state.js";

/** JSON-RPC codes of refusals made before a request reaches the MCP server. */
export const rpc = {
  parseError: -32700,
  invalidRequest: -32600,
  refused: -32000,
  noSession: -32001,
} as const;

/** A refusal in JSON-RPC form with its HTTP status. */
export function refuse(
  ctx: HttpContext,
  status: number,
  code: number,
  message: string,
  data?: object,
): void {
  ctx.status = status;
  ctx.body = { jsonrpc: "2.0", error: { code, message, ...(data && { data }) }, id: null };
}
