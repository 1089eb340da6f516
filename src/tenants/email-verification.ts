import { jwtVerify, SignJWT } from "jose";
import { createHmac } from "node:crypto";
import { errors } from "../domain/app-error.js";

const algorithm = "HS256";
const issuer = "vbwd";
const audience = "vbwd:verify-email";

/** How long a verification link works. */
export const verificationValidHours = 48;

/** What a verification token asserts: this user of this tenant owns this address. */
export interface VerificationClaims {
  tenantId: string;
  userId: string;
  email: string;
}

/**
 * The verification tokens' own key, derived from the platform's JWT key, so neither staff
 * nor manage tokens verify as one of these (the audiences differ as well).
 */
export function verificationTokenKey(jwtKey: Uint8Array): Uint8Array {
  return createHmac("sha256", jwtKey).update("vbwd email verification token v1").digest();
}

/** Signs a verification token (HS256), good for 48 hours. */
export async function issueVerificationToken(
  key: Uint8Array,
  claims: VerificationClaims,
): Promise<string> {
  return new SignJWT({ tid: claims.tenantId, email: claims.email })
    .setProtectedHeader({ alg: algorithm, typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${verificationValidHours}h`)
    .sign(key);
}

/** Reads a verification token; a flawed, expired or foreign one is `invalid_verification_token`. */
export async function readVerificationToken(
  key: Uint8Array,
  token: string,
): Promise<VerificationClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [algorithm],
      issuer,
      audience,
      requiredClaims: ["sub", "exp", "tid", "email"],
    });
    return {
      tenantId: String(payload.tid),
      userId: String(payload.sub),
      email: String(payload.email),
    };
  } catch {
    throw errors.invalidVerificationToken(verificationValidHours);
  }
}
