import { EntitySchema, type Opt } from "@mikro-orm/core";
import type { InboundEventStatus } from "../../domain/inbound-events.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/**
 * One event an outside system sent through a webhook source. The row is written before the
 * event's command runs, and `(source, event id)` is unique, so a replay or a concurrent
 * second delivery finds it instead of acting again.
 */
export class InboundEvent implements TenantOwned {
  id!: string;
  tenant!: string;
  sourceId!: string;
  eventId!: string;
  type!: string;
  status!: InboundEventStatus;
  /** The error code of a refused command. */
  errorCode: string | null = null;
  /** What the command made or changed: a booking or hold id. */
  resultId: string | null = null;
  receivedAt: Opt<Date> = new Date();
  completedAt: Date | null = null;
}

export const InboundEventSchema = new EntitySchema<InboundEvent>({
  class: InboundEvent,
  tableName: "inbound_events",
  filters: { tenant: tenantFilter },
  uniques: [{ properties: ["sourceId", "eventId"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    sourceId: { type: "string", length: 40 },
    eventId: { type: "string", length: 200 },
    type: { type: "string", length: 40 },
    status: { type: "string", length: 20 },
    errorCode: { type: "string", length: 40, nullable: true },
    resultId: { type: "string", length: 60, nullable: true },
    receivedAt: { type: "datetime", length: 3 },
    completedAt: { type: "datetime", length: 3, nullable: true },
  },
});
