import { z } from "zod";
import { staffRoles } from "../domain/tenancy.js";
import { createUser, deleteUser, listUsers, updateUser } from "../tenants/staff-users.js";
import type { UserChangeScope } from "../tenants/staff-users.js";
import { defineCommand, tenantOf, type CommandContext, tenantManagers } from "./command.js";
import { userListOutput, userOutput } from "./output-schemas.js";
import { emailSchema, idSchema } from "./schemas.js";

function scopeOf(context: CommandContext): UserChangeScope {
  return {
    em: context.em,
    dialect: context.services.db.target.dialect,
    tenantId: tenantOf(context).id,
    actor: context.principal,
    origin: context.origin,
  };
}

/** The tenant's staff users. */
export const listUsersCommand = defineCommand({
  name: "users.list",
  summary: "List the tenant's staff users with their roles and whether they may sign in.",
  access: { kind: "tenant", credentials: ["secret", "staff"] },
  output: userListOutput,
  input: z.object({}),
  async run({ em }) {
    return { data: await listUsers(em) };
  },
});

/** Adds a staff user while the plan has a seat left. */
export const createUserCommand = defineCommand({
  name: "users.create",
  summary:
    "Add a staff user who signs in with email and password; refused with plan_limit_reached when the plan's users are taken.",
  access: tenantManagers,
  output: userOutput,
  input: z.object({
    email: emailSchema,
    name: z.string().trim().min(1).max(200).optional(),
    role: z.enum(staffRoles),
    password: z.string().min(10, "use at least 10 characters").max(200),
  }),
  async run(context, input) {
    return createUser(scopeOf(context), input);
  },
});

/** Changes a staff user's role or whether they may sign in. */
export const updateUserCommand = defineCommand({
  name: "users.update",
  summary:
    "Change a staff user's role or deactivate them (active: false); the last active owner stays an owner.",
  access: tenantManagers,
  output: userOutput,
  input: z
    .object({
      id: idSchema,
      role: z.enum(staffRoles).optional(),
      active: z.boolean().optional(),
    })
    .refine((input) => input.role !== undefined || input.active !== undefined, {
      message: "give role, active or both",
    }),
  async run(context, input) {
    return updateUser(scopeOf(context), input.id, input);
  },
});

/** Removes a staff user; the last active owner cannot be removed. */
export const deleteUserCommand = defineCommand({
  name: "users.delete",
  summary: "Remove a staff user for good; their sessions stop at once. The last owner stays.",
  access: tenantManagers,
  output: userOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    return deleteUser(scopeOf(context), input.id);
  },
});
