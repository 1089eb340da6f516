import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import type { DatabaseTarget } from "../config.js";
import { errors } from "../domain/app-error.js";
import { hasRoomFor, userLimitOf, type LimitUsage } from "../domain/plan-limits.js";
import type { Principal } from "../domain/principal.js";
import type { StaffRole } from "../domain/tenancy.js";
import { Tenant, User } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { recordAudit, type AuditOrigin } from "./audit.js";
import { hashPassword } from "./passwords.js";
import { withTenantLocked } from "./tenant-lock.js";

/** A staff user as the API shows it; never the password hash. */
export interface UserView {
  id: string;
  email: string;
  name: string | null;
  role: StaffRole;
  active: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

/** Where user changes run: the tenant's unit of work, its database dialect, who acts. */
export interface UserChangeScope {
  em: EntityManager;
  dialect: DatabaseTarget["dialect"];
  tenantId: string;
  actor: Principal;
  origin: AuditOrigin;
}

/** A new staff user. */
export interface NewUser {
  email: string;
  name?: string | undefined;
  role: StaffRole;
  password: string;
}

/** Maps a user to its API form. */
export function viewUser(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.isActive,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    createdAt: user.createdAt.toISOString(),
  };
}

/** The tenant's users, oldest first. */
export async function listUsers(em: EntityManager): Promise<UserView[]> {
  const users = await em.find(User, {}, { orderBy: { createdAt: "asc", id: "asc" } });
  return users.map(viewUser);
}

/** Active users against the tenant's user limit (plan users plus add-on users). */
export async function userUsage(em: EntityManager, tenant: Tenant): Promise<LimitUsage> {
  const used = await em.count(User, { tenant: tenant.id, isActive: true });
  return { used, limit: userLimitOf(tenant) };
}

/**
 * Adds a staff user if the plan has a seat left. The count and the insert run under the
 * tenant's row lock, so concurrent creates on any node never exceed the limit.
 */
export async function createUser(scope: UserChangeScope, request: NewUser): Promise<UserView> {
  assertMayGrant(scope.actor, request.role);
  // Hashing is slow on purpose; it happens before the lock is taken.
  const passwordHash = await hashPassword(request.password);

  try {
    return await withTenantLocked(scope.em, scope.dialect, scope.tenantId, async (tx) => {
      const existing = await tx.count(User, { tenant: scope.tenantId, email: request.email });
      if (existing > 0) throw errors.emailTaken(request.email);
      await claimSeat(tx, scope.tenantId);
      const now = new Date();
      const user = tx.create(User, {
        id: newId(idPrefixes.user),
        tenant: scope.tenantId,
        email: request.email,
        name: request.name ?? null,
        passwordHash,
        role: request.role,
        isActive: true,
        createdAt: now,
        updatedAt: now,
      });
      audit(tx, scope, "user.created", user, { email: user.email, role: user.role });
      await tx.flush();
      return viewUser(user);
    });
  } catch (err) {
    if (err instanceof UniqueConstraintViolationException) throw errors.emailTaken(request.email);
    throw err;
  }
}

/** Changes a user's role or whether they may sign in; never leaves the tenant without an owner. */
export async function updateUser(
  scope: UserChangeScope,
  userId: string,
  change: { role?: StaffRole | undefined; active?: boolean | undefined },
): Promise<UserView> {
  return withTenantLocked(scope.em, scope.dialect, scope.tenantId, async (tx) => {
    const user = await findUser(tx, scope.tenantId, userId);
    assertMayManage(scope.actor, user);
    if (change.role !== undefined) assertMayGrant(scope.actor, change.role);
    const before = { role: user.role, active: user.isActive };
    const after = { role: change.role ?? user.role, active: change.active ?? user.isActive };

    if (!before.active && after.active) await claimSeat(tx, scope.tenantId);
    if (isActiveOwner(before) && !isActiveOwner(after)) {
      await assertAnotherOwner(tx, scope.tenantId, user.id);
    }
    user.role = after.role;
    user.isActive = after.active;
    audit(tx, scope, "user.updated", user, { before, after });
    await tx.flush();
    return viewUser(user);
  });
}

/** Removes a user for good; their sessions stop working at once. */
export async function deleteUser(scope: UserChangeScope, userId: string): Promise<UserView> {
  return withTenantLocked(scope.em, scope.dialect, scope.tenantId, async (tx) => {
    const user = await findUser(tx, scope.tenantId, userId);
    assertMayManage(scope.actor, user);
    if (isActiveOwner({ role: user.role, active: user.isActive })) {
      await assertAnotherOwner(tx, scope.tenantId, user.id);
    }
    const view = viewUser(user);
    audit(tx, scope, "user.deleted", user, { email: user.email, role: user.role });
    tx.remove(user);
    await tx.flush();
    return view;
  });
}

/** Refuses unless one more active user fits the tenant's limit; call under the tenant lock. */
async function claimSeat(tx: EntityManager, tenantId: string): Promise<void> {
  // Read inside the lock: the limit may have changed since the tenant was cached.
  const tenant = await tx.findOneOrFail(Tenant, { id: tenantId }, { refresh: true });
  const usage = await userUsage(tx, tenant);
  if (!hasRoomFor(usage.used, usage.limit)) throw errors.userLimitReached(usage.limit);
}

async function findUser(tx: EntityManager, tenantId: string, userId: string): Promise<User> {
  const user = await tx.findOne(User, { id: userId, tenant: tenantId });
  if (!user) throw errors.notFound("user", userId);
  return user;
}

function isActiveOwner(state: { role: StaffRole; active: boolean }): boolean {
  return state.role === "owner" && state.active;
}

async function assertAnotherOwner(tx: EntityManager, tenantId: string, userId: string) {
  const others = await tx.count(User, {
    tenant: tenantId,
    role: "owner",
    isActive: true,
    id: { $ne: userId },
  });
  if (others === 0) throw errors.lastOwner(userId);
}

/** Only owners (and the tenant's secret key) may make owners. */
function assertMayGrant(actor: Principal, role: StaffRole): void {
  if (role !== "owner" || actor.kind !== "staff" || actor.role === "owner") return;
  throw errors.forbidden("only an owner can make a user owner");
}

/** Admins manage admins and staff; an owner is changed only by an owner. */
function assertMayManage(actor: Principal, user: User): void {
  if (user.role !== "owner" || actor.kind !== "staff" || actor.role === "owner") return;
  throw errors.forbidden(`user ${user.id} is an owner; only an owner can change or remove them`);
}

function audit(
  tx: EntityManager,
  scope: UserChangeScope,
  action: string,
  user: User,
  summary: Record<string, unknown>,
): void {
  recordAudit(tx, scope.origin, {
    tenantId: scope.tenantId,
    action,
    entityType: "user",
    entityId: user.id,
    summary,
  });
}
