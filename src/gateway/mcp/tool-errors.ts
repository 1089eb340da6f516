import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { AppError, ErrorCode } from "../../domain/app-error.js";

/** What a model should do next after each refusal, added to the engine's own message. */
const nextSteps: Partial<Record<ErrorCode, string>> = {
  slot_unavailable:
    "Call find_available_slots again and offer the customer one of the free starts it returns.",
  hold_expired: "Call hold_slot again for the same start (or another free one), then book.",
  not_found:
    "Check the id: take calendar and service ids from list_services, booking ids from book_appointment.",
  invalid_input: "Fix the arguments named in the details and call the tool again.",
  idempotency_key_reused: "Use a new idempotencyKey for a different booking.",
  payment_required:
    "This service is paid in advance: hold the slot and give the customer the checkout link; do not book it directly.",
  plan_limit_reached:
    "Tell the customer the business cannot take more bookings this month; do not retry.",
  unauthenticated:
    "This endpoint needs credentials for this call; ask the business for an agent key.",
  insufficient_scope: "This credential cannot make this call; do not retry it.",
  tenant_suspended: "The business cannot take bookings at the moment; do not retry.",
  feature_not_in_plan:
    "The business's plan does not include this way of booking; do not retry, use its booking widget.",
  unavailable: "The engine is moving this calendar between nodes; retry in a second.",
};

/** A refused command as a tool result the model can read and act on. */
export function toolErrorResult(error: AppError): CallToolResult {
  const advice = nextSteps[error.code];
  const lines = [`${error.code}: ${error.message}`];
  if (error.details !== undefined) lines.push(`details: ${JSON.stringify(error.details)}`);
  if (advice) lines.push(advice);
  return {
    isError: true,
    content: [{ type: "text", text: lines.join("\n") }],
    structuredContent: { error: { code: error.code, message: error.message } },
  };
}

/** JSON-RPC error codes for refusals outside tool calls (resource reads). */
const resourceNotFound = -32002;
const invalidParams = -32602;
const serverRefused = -32000;

/** A refused command as a JSON-RPC error, keeping the engine's code in `data`. */
export function toMcpError(error: AppError): McpError {
  const rpcCode =
    error.code === "not_found"
      ? resourceNotFound
      : error.code === "invalid_input"
        ? invalidParams
        : serverRefused;
  return new McpError(rpcCode, error.message, { code: error.code, details: error.details });
}
