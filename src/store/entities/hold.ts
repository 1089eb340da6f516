import { BigIntType, EntitySchema, type Opt } from "@mikro-orm/core";
import type { HoldStatus } from "../../domain/booking-states.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** A short reservation of a slot while a customer decides; instants in ms. */
export class Hold implements TenantOwned {
  id!: string;
  tenant!: string;
  calendarId!: string;
  serviceId!: string;
  startMs!: number;
  endMs!: number;
  expiresAtMs!: number;
  status!: HoldStatus;
  createdAtMs: Opt<number> = Date.now();
}

export const HoldSchema = new EntitySchema<Hold>({
  class: Hold,
  tableName: "holds",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["calendarId", "status"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    calendarId: { type: "string", length: 40 },
    serviceId: { type: "string", length: 40 },
    startMs: { type: new BigIntType("number") },
    endMs: { type: new BigIntType("number") },
    expiresAtMs: { type: new BigIntType("number") },
    status: { type: "string", length: 20 },
    createdAtMs: { type: new BigIntType("number") },
  },
});
