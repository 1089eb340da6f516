import type { ErrorCode } from "../domain/app-error.js";

/** The HTTP status of each error code; every code has one. */
export const httpStatusOf: Record<ErrorCode, number> = {
  malformed_request: 400,
  unsupported_media_type: 415,
  unauthenticated: 401,
  invalid_credentials: 401,
  tenant_suspended: 402,
  forbidden: 403,
  insufficient_scope: 403,
  tenant_mismatch: 403,
  tenant_cancelled: 403,
  not_found: 404,
  method_not_allowed: 405,
  tenant_not_found: 404,
  tenant_code_taken: 409,
  email_taken: 409,
  conflict: 409,
  slot_unavailable: 409,
  hold_expired: 409,
  idempotency_key_reused: 409,
  payload_too_large: 413,
  invalid_input: 422,
  rate_limited: 429,
  plan_limit_reached: 429,
  unavailable: 503,
  internal_error: 500,
};
