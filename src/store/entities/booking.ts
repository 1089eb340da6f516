import { BigIntType, EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";
import type { BookingStatus } from "../../domain/booking-states.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** A confirmed appointment of a customer on a calendar; instants in ms. */
export class Booking implements TenantOwned {
  id!: string;
  tenant!: string;
  calendarId!: string;
  serviceId!: string;
  startMs!: number;
  endMs!: number;
  status!: BookingStatus;
  customerName!: string;
  customerEmail!: string;
  customerPhone: string | null = null;
  priceCents: Opt<number> = 0;
  currency: Opt<string> = "EUR";
  holdId: string | null = null;
  /** The protocol the booking was made over (`rest`, `widget`, `mcp`, …); null before it was kept. */
  source: string | null = null;
  createdAtMs: Opt<number> = Date.now();
  updatedAtMs: Opt<number> = Date.now();
}

export const BookingSchema = new EntitySchema<Booking>({
  class: Booking,
  tableName: "bookings",
  filters: { tenant: tenantFilter },
  indexes: [
    { properties: ["tenant", "calendarId", "startMs"] },
    { properties: ["tenant", "createdAtMs"] },
    { properties: ["tenant", "startMs"] },
  ],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    calendarId: { type: "string", length: 40 },
    serviceId: { type: "string", length: 40 },
    startMs: { type: new BigIntType("number") },
    endMs: { type: new BigIntType("number") },
    status: { type: "string", length: 20 },
    customerName: { type: "string", length: 200 },
    customerEmail: { type: "string", length: 255 },
    customerPhone: { type: "string", length: 40, nullable: true },
    priceCents: { type: "integer" },
    currency: { type: "string", length: 3 },
    holdId: { type: "string", length: 40, nullable: true },
    source: { type: "string", length: 20, nullable: true },
    createdAtMs: { type: new BigIntType("number") },
    updatedAtMs: { type: new BigIntType("number") },
  },
});

/** One change of a booking's status, kept for its history. */
export class BookingEvent implements TenantOwned {
  id!: string;
  tenant!: string;
  bookingId!: string;
  fromStatus: string | null = null;
  toStatus!: string;
  detail: Opt<Record<string, unknown>> | null = null;
  atMs: Opt<number> = Date.now();
}

export const BookingEventSchema = new EntitySchema<BookingEvent>({
  class: BookingEvent,
  tableName: "booking_events",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["tenant", "atMs"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    bookingId: { type: "string", length: 40, index: true },
    fromStatus: { type: "string", length: 20, nullable: true },
    toStatus: { type: "string", length: 20 },
    detail: { ...jsonColumn, nullable: true },
    atMs: { type: new BigIntType("number") },
  },
});

/**
 * One seat of one 5-minute grid cell taken by a hold or a booking. The primary key is the
 * last line of defence: no cell seat can be claimed twice, whatever the actors believe.
 */
export class SlotClaim {
  calendarId!: string;
  cellStartMs!: number;
  seat!: number;
  tenant!: string;
  ownerKind!: string;
  ownerId!: string;
}

export const SlotClaimSchema = new EntitySchema<SlotClaim>({
  class: SlotClaim,
  tableName: "slot_claims",
  filters: { tenant: tenantFilter },
  properties: {
    calendarId: { type: "string", length: 40, primary: true },
    cellStartMs: { type: new BigIntType("number"), primary: true },
    seat: { type: "integer", primary: true },
    tenant: { ...tenantColumn },
    ownerKind: { type: "string", length: 10 },
    ownerId: { type: "string", length: 40, index: true },
  },
});

/** A remembered answer to a create call made with an `Idempotency-Key`, kept 24 hours. */
export class IdempotencyRecord implements TenantOwned {
  id!: string;
  tenant!: string;
  idempotencyKey!: string;
  requestHash!: string;
  status!: number;
  response!: string;
  createdAtMs: Opt<number> = Date.now();
}

export const IdempotencyRecordSchema = new EntitySchema<IdempotencyRecord>({
  class: IdempotencyRecord,
  tableName: "idempotency_keys",
  filters: { tenant: tenantFilter },
  uniques: [{ properties: ["tenant", "idempotencyKey"] }],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    idempotencyKey: { type: "string", length: 255 },
    requestHash: { type: "string", length: 64 },
    status: { type: "integer" },
    response: { type: "text" },
    createdAtMs: { type: new BigIntType("number"), index: true },
  },
});
