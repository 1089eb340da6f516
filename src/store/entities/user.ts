import { EntitySchema, type Opt } from "@mikro-orm/core";
import type { StaffRole } from "../../domain/tenancy.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** A staff member of one tenant; emails are unique per tenant. */
export class User implements TenantOwned {
  id!: string;
  tenant!: string;
  email!: string;
  name: string | null = null;
  passwordHash!: string;
  role!: StaffRole;
  isActive: Opt<boolean> = true;
  lastLoginAt: Date | null = null;
  /** When the user confirmed their email address; null until they do. */
  emailVerifiedAt: Date | null = null;
  createdAt: Opt<Date> = new Date();
  updatedAt: Opt<Date> = new Date();
}

export const UserSchema = new EntitySchema<User>({
  class: User,
  tableName: "users",
  filters: { tenant: tenantFilter },
  uniques: [{ properties: ["tenant", "email"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    email: { type: "string", length: 255 },
    name: { type: "string", length: 200, nullable: true },
    passwordHash: { type: "string", length: 255 },
    role: { type: "string", length: 20 },
    isActive: { type: "boolean" },
    lastLoginAt: { type: "datetime", length: 3, nullable: true },
    emailVerifiedAt: { type: "datetime", length: 3, nullable: true },
    createdAt: { type: "datetime", length: 3 },
    updatedAt: { type: "datetime", length: 3, onUpdate: () => new Date() },
  },
});
