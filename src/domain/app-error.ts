/** Every failure a caller can be told about. The gateway maps each to its protocol. */
export const errorCodes = [
  "malformed_request",
  "unsupported_media_type",
  "unauthenticated",
  "invalid_credentials",
  "tenant_suspended",
  "forbidden",
  "insufficient_scope",
  "tenant_mismatch",
  "tenant_cancelled",
  "not_found",
  "method_not_allowed",
  "tenant_not_found",
  "tenant_code_taken",
  "email_taken",
  "domain_taken",
  "domain_not_verified",
  "conflict",
  "slot_unavailable",
  "hold_expired",
  "idempotency_key_reused",
  "payment_required",
  "invalid_signature",
  "signature_expired",
  "event_type_not_allowed",
  "invalid_manage_token",
  "invalid_verification_token",
  "self_service_disabled",
  "change_window_closed",
  "payload_too_large",
  "invalid_input",
  "rate_limited",
  "plan_limit_reached",
  "feature_not_in_plan",
  "unavailable",
  "internal_error",
] as const;

/** A closed set of error codes, shared with the widget and every adapter. */
export type ErrorCode = (typeof errorCodes)[number];

/** One problem with one input field, as reported in `details`. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** The single error type of VBWD; made by the named factories in `errors` below. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    // A caller's mistake needs no stack, and capturing one is most of what a refusal costs.
    const depth = Error.stackTraceLimit;
    if (code !== "internal_error") Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = depth;
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

/** Named factories: each message says what was wrong and what to do. */
export const errors = {
  malformed(message: string): AppError {
    return new AppError("malformed_request", message);
  },
  unsupportedMediaType(type: string): AppError {
    return new AppError(
      "unsupported_media_type",
      `content type "${type}" is not accepted; send application/json`,
    );
  },
  unauthenticated(): AppError {
    return new AppError(
      "unauthenticated",
      "credentials required: send an API key (Authorization: Bearer or X-API-Key) or a staff token",
    );
  },
  invalidCredentials(): AppError {
    return new AppError("invalid_credentials", "the credentials are unknown, revoked or expired");
  },
  tenantSuspended(code: string): AppError {
    return new AppError(
      "tenant_suspended",
      `tenant ${code} is suspended for payment; update the payment method to continue`,
    );
  },
  tenantCancelled(code: string): AppError {
    return new AppError("tenant_cancelled", `tenant ${code} has cancelled its subscription`);
  },
  forbidden(message: string): AppError {
    return new AppError("forbidden", message);
  },
  insufficientScope(kind: string, needed: readonly string[]): AppError {
    return new AppError(
      "insufficient_scope",
      `a ${kind} credential cannot make this call; use one of: ${needed.join(", ")}`,
    );
  },
  tenantMismatch(): AppError {
    return new AppError(
      "tenant_mismatch",
      "the credentials belong to another tenant than the one this request names",
    );
  },
  notFound(entity: string, id: string): AppError {
    return new AppError("not_found", `${entity} ${id} was not found`);
  },
  methodNotAllowed(method: string, path: string, allowed: string): AppError {
    return new AppError(
      "method_not_allowed",
      `${method} is not allowed on ${path}; use ${allowed}`,
    );
  },
  routeNotFound(method: string, path: string): AppError {
    return new AppError("not_found", `no route for ${method} ${path}; see /openapi.json`);
  },
  tenantNotFound(code: string): AppError {
    return new AppError("tenant_not_found", `tenant ${code} was not found`);
  },
  tenantRequired(): AppError {
    return new AppError(
      "tenant_not_found",
      "no tenant named: send X-Tenant-ID, use the tenant's subdomain, or a tenant's credentials",
    );
  },
  tenantCodeTaken(code: string): AppError {
    return new AppError("tenant_code_taken", `tenant code ${code} is taken; choose another`);
  },
  domainTaken(domain: string): AppError {
    return new AppError(
      "domain_taken",
      `${domain} is another tenant's verified custom domain; choose another domain`,
    );
  },
  domainNotVerified(expected: { name: string; value: string }, found: string[], dnsError?: string) {
    const seen =
      dnsError !== undefined
        ? `the DNS lookup failed (${dnsError})`
        : found.length === 0
          ? "no TXT record was found there"
          : `found only ${found.map((value) => JSON.stringify(value)).join(", ")}`;
    return new AppError(
      "domain_not_verified",
      `expected a TXT record ${expected.name} with the value "${expected.value}", but ${seen}; ` +
        "create it (DNS changes can take a while to appear) and verify again",
      { expected: { type: "TXT", ...expected }, found, dnsError: dnsError ?? null },
    );
  },
  emailTaken(email: string): AppError {
    return new AppError("email_taken", `a user with email ${email} already exists here`);
  },
  payloadTooLarge(limitKb: number): AppError {
    return new AppError("payload_too_large", `the body is larger than ${limitKb} KB`);
  },
  invalidInput(problems: FieldProblem[]): AppError {
    const first = problems[0];
    const summary = first ? `${first.path || "body"}: ${first.message}` : "invalid input";
    return new AppError("invalid_input", `invalid input (${summary})`, problems);
  },
  slotUnavailable(start: string): AppError {
    return new AppError(
      "slot_unavailable",
      `the slot at ${start} is taken or closed; fetch availability and choose another`,
    );
  },
  slotInvalid(start: string, reason: string): AppError {
    return new AppError("invalid_input", `cannot book ${start}: ${reason}`, [
      { path: "start", message: reason },
    ]);
  },
  holdExpired(id: string): AppError {
    return new AppError(
      "hold_expired",
      `hold ${id} has expired or was released; hold the slot again`,
    );
  },
  paymentRequired(serviceId: string): AppError {
    return new AppError(
      "payment_required",
      `service ${serviceId} is paid in advance; hold the slot, then POST /holds/{id}/checkout and pay, and the booking is made when the payment succeeds`,
      { serviceId },
    );
  },
  idempotencyKeyReused(key: string): AppError {
    return new AppError(
      "idempotency_key_reused",
      `Idempotency-Key ${key} was used with a different request; use a new key`,
    );
  },
  planLimitReached(limit: number): AppError {
    return new AppError(
      "plan_limit_reached",
      `the plan allows ${limit} bookings a month and they are used; upgrade the plan`,
      { limit },
    );
  },
  userLimitReached(limit: number): AppError {
    return new AppError(
      "plan_limit_reached",
      `the plan allows ${limit} active users and they are taken; deactivate a user or upgrade the plan`,
      { limit, resource: "users" },
    );
  },
  storageLimitReached(limitBytes: number, usedBytes: number, neededBytes: number): AppError {
    const mb = (bytes: number) => Math.round((bytes / 1048576) * 100) / 100;
    return new AppError(
      "plan_limit_reached",
      `the plan allows ${mb(limitBytes)} MB of storage, ${mb(usedBytes)} MB are used and this file needs ${mb(neededBytes)} MB; remove files or upgrade the plan`,
      { limit: limitBytes, usedBytes, resource: "storage" },
    );
  },
  uploadTypeNotAccepted(type: string, accepted: readonly string[]): AppError {
    return new AppError(
      "unsupported_media_type",
      `content type "${type}" is not accepted here; send one of ${accepted.join(", ")}`,
    );
  },
  lastOwner(userId: string): AppError {
    return new AppError(
      "conflict",
      `user ${userId} is the tenant's last active owner; make another user owner first`,
    );
  },
  featureNotInPlan(feature: string, plan: string): AppError {
    return new AppError(
      "feature_not_in_plan",
      `the ${plan} plan does not include ${feature}; upgrade the plan to use it`,
      { feature, plan },
    );
  },
  invalidManageToken(bookingId: string): AppError {
    return new AppError(
      "invalid_manage_token",
      `the manage link for booking ${bookingId} is invalid or has expired; use the link from the booking's confirmation`,
    );
  },
  invalidVerificationToken(validHours: number): AppError {
    return new AppError(
      "invalid_verification_token",
      `the email verification link is invalid or has expired (links work for ${validHours} hours); log in and ask for a new one`,
    );
  },
  selfServiceDisabled(change: "cancel" | "reschedule"): AppError {
    return new AppError(
      "self_service_disabled",
      `this business does not let customers ${change} bookings themselves; contact the business`,
    );
  },
  changeWindowClosed(bookingId: string, cutoffHours: number): AppError {
    return new AppError(
      "change_window_closed",
      `booking ${bookingId} can be changed online until ${cutoffHours} hours before its start; contact the business`,
      { cutoffHours },
    );
  },
  invalidSignature(reason: string): AppError {
    return new AppError(
      "invalid_signature",
      `${reason}; sign "<t>.<raw body>" with HMAC-SHA-256 under the source's secret and send VBWD-Signature: t=<unix seconds>,v1=<hex>`,
    );
  },
  signatureExpired(toleranceSeconds: number): AppError {
    return new AppError(
      "signature_expired",
      `the signature's timestamp is more than ${toleranceSeconds} seconds from now; sign again with the current time`,
      { toleranceSeconds },
    );
  },
  eventTypeNotAllowed(type: string, allowed: readonly string[]): AppError {
    return new AppError(
      "event_type_not_allowed",
      `this webhook source does not accept ${type} events; it accepts ${allowed.join(", ") || "none"}, change its allowedEventTypes to add more`,
      { allowed },
    );
  },
  conflict(message: string): AppError {
    return new AppError("conflict", message);
  },
  unavailable(message: string): AppError {
    return new AppError("unavailable", message);
  },
} as const;

/** True when `value` is an `AppError`, whatever realm made it. */
export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
