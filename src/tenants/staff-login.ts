import type { EntityManager } from "@mikro-orm/core";
import { errors } from "../domain/app-error.js";
import type { Tenant } from "../store/entities/index.js";
import { User } from "../store/entities/index.js";
import { decoyPasswordHash, verifyPassword } from "./passwords.js";
import { issueStaffToken } from "./staff-tokens.js";

/**
 * Checks a staff member's email and password within the tenant of `em` and signs a token.
 * Unknown email and wrong password answer alike, after the same work.
 */
export async function logInStaff(
  em: EntityManager,
  tenant: Tenant,
  credentials: { email: string; password: string },
  jwtKey: Uint8Array,
) {
  const user = await em.findOne(User, { email: credentials.email, isActive: true });
  const hash = user?.passwordHash ?? (await decoyPasswordHash());
  const valid = await verifyPassword(credentials.password, hash);
  if (!user || !valid) throw errors.invalidCredentials();

  user.lastLoginAt = new Date();
  await em.flush();
  const claims = { userId: user.id, tenantId: tenant.id, role: user.role };
  const { token, expiresAt } = await issueStaffToken(jwtKey, claims);
  return { token, expiresAt, user };
}
