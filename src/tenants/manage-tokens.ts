import { jwtVerify, SignJWT } from "jose";
import { createHmac } from "node:crypto";
import { errors } from "../domain/app-error.js";

const algorithm = "HS256";
const issuer = "vbwd";
const audience = "vbwd:booking-manage";
/** A token stays good this long after its booking ends, so the customer can still look. */
const graceSeconds = 7 * 24 * 60 * 60;

/** What a manage token asserts: the bearer may see and change this one booking. */
export interface ManageClaims {
  tenantId: string;
  bookingId: string;
}

/**
 * The manage tokens' own signing key, derived from the platform's JWT key. Staff tokens are
 * signed with that key itself, so neither kind of token verifies as the other (the audiences
 * differ as well).
 */
export function manageTokenKey(jwtKey: Uint8Array): Uint8Array {
  return createHmac("sha256", jwtKey).update("vbwd booking manage token v1").digest();
}

/** Signs a manage token (HS256) for a booking, good until a week after the booking ends. */
export async function issueManageToken(
  key: Uint8Array,
  claims: ManageClaims & { bookingEndMs: number },
): Promise<{ token: string; expiresAt: Date }> {
  const expiresAt = new Date(claims.bookingEndMs + graceSeconds * 1000);
  const token = await new SignJWT({ tid: claims.tenantId })
    .setProtectedHeader({ alg: algorithm, typ: "JWT" })
    .setSubject(claims.bookingId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, expiresAt };
}

/**
 * Verifies a manage token for one booking of one tenant, with the algorithm pinned. A flawed,
 * expired or foreign token is `invalid_manage_token`, whichever the flaw.
 */
export async function verifyManageToken(
  key: Uint8Array,
  token: string,
  expected: ManageClaims,
): Promise<void> {
  let claims: ManageClaims;
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [algorithm],
      issuer,
      audience,
      requiredClaims: ["sub", "exp", "tid"],
    });
    claims = { tenantId: String(payload.tid), bookingId: String(payload.sub) };
  } catch {
    throw errors.invalidManageToken(expected.bookingId);
  }
  if (claims.tenantId !== expected.tenantId || claims.bookingId !== expected.bookingId) {
    throw errors.invalidManageToken(expected.bookingId);
  }
}
