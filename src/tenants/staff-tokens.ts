import { jwtVerify, SignJWT } from "jose";
import { errors } from "../domain/app-error.js";
import { staffRoles, type StaffRole } from "../domain/tenancy.js";

const algorithm = "HS256";
const issuer = "vbwd";
const audience = "vbwd:staff";
const lifetimeSeconds = 12 * 60 * 60;

/** What a staff token asserts. */
export interface StaffClaims {
  userId: string;
  tenantId: string;
  role: StaffRole;
  /** When the token stops being valid (ms); set on verified tokens. */
  expiresAtMs?: number;
}

/** Signs a staff token (HS256, 12 hours). */
export async function issueStaffToken(key: Uint8Array, claims: StaffClaims) {
  const expiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
  const token = await new SignJWT({ tid: claims.tenantId, role: claims.role })
    .setProtectedHeader({ alg: algorithm, typ: "JWT" })
    .setSubject(claims.userId)
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key);
  return { token, expiresAt };
}

/** Verifies a staff token with the algorithm pinned; any flaw is `invalid_credentials`. */
export async function verifyStaffToken(key: Uint8Array, token: string): Promise<StaffClaims> {
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [algorithm],
      issuer,
      audience,
      requiredClaims: ["sub", "exp", "tid", "role"],
    });
    const role = payload.role as StaffRole;
    if (typeof payload.tid !== "string" || !staffRoles.includes(role) || !payload.sub) {
      throw errors.invalidCredentials();
    }
    return {
      userId: payload.sub,
      tenantId: payload.tid,
      role,
      expiresAtMs: (payload.exp ?? 0) * 1000,
    };
  } catch {
    throw errors.invalidCredentials();
  }
}

/** True when the value has the three dot-separated parts of a JWT. */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(value);
}
