import { BigIntType, EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/**
 * A domain event written in the same transaction as the change it reports, waiting to be
 * fanned out to the tenant's webhook endpoints (and other channels). `dispatchedAtMs` is set
 * once its deliveries exist. Events of one ordering key (a booking) land in one partition and
 * are fanned out in `seq` order.
 */
export class OutboxEvent {
  /** Set by the database (auto-increment): the order events of one key were committed in. */
  seq!: Opt<number>;
  id!: string;
  tenant!: string;
  partitionNo!: number;
  orderingKey!: string;
  type!: string;
  payload!: Record<string, unknown>;
  createdAtMs!: number;
  dispatchedAtMs: number | null = null;
}

export const OutboxEventSchema = new EntitySchema<OutboxEvent>({
  class: OutboxEvent,
  tableName: "outbox_events",
  filters: { tenant: tenantFilter },
  indexes: [{ properties: ["partitionNo", "dispatchedAtMs"] }],
  properties: {
    // SQLite's rowid is 64-bit whatever the declared type; MySQL's migration makes it bigint.
    seq: { type: "integer", primary: true, autoincrement: true },
    id: { type: "string", length: 60, unique: true },
    tenant: { ...tenantColumn },
    partitionNo: { type: "integer" },
    orderingKey: { type: "string", length: 60 },
    type: { type: "string", length: 60 },
    payload: { ...jsonColumn },
    createdAtMs: { type: new BigIntType("number") },
    dispatchedAtMs: { type: new BigIntType("number"), nullable: true },
  },
});

/** A tenant's URL that receives signed events (Standard Webhooks) of the types it asked for. */
export class WebhookEndpoint implements TenantOwned {
  id!: string;
  tenant!: string;
  url!: string;
  description: string | null = null;
  events!: string[];
  secretPrefix!: string;
  /** The signing secret, AES-256-GCM under a key derived from the platform pepper. */
  secretCiphertext!: string;
  isActive: Opt<boolean> = true;
  /** Why deliveries stopped (retries exhausted), until the tenant turns it on again. */
  disabledReason: string | null = null;
  disabledAt: Date | null = null;
  createdAt: Opt<Date> = new Date();
  updatedAt: Opt<Date> = new Date();
}

export const WebhookEndpointSchema = new EntitySchema<WebhookEndpoint>({
  class: WebhookEndpoint,
  tableName: "webhook_endpoints",
  filters: { tenant: tenantFilter },
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    url: { type: "string", length: 2000 },
    description: { type: "string", length: 200, nullable: true },
    events: { ...jsonColumn },
    secretPrefix: { type: "string", length: 24 },
    secretCiphertext: { type: "string", length: 255 },
    isActive: { type: "boolean" },
    disabledReason: { type: "string", length: 300, nullable: true },
    disabledAt: { type: "datetime", length: 3, nullable: true },
    createdAt: { type: "datetime", length: 3 },
    updatedAt: { type: "datetime", length: 3, onUpdate: () => new Date() },
  },
});

/** Where a delivery stands. */
export const deliveryStatuses = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];

/** One event on its way to one endpoint, with the exact body every attempt sends. */
export class WebhookDelivery implements TenantOwned {
  id!: string;
  tenant!: string;
  endpointId!: string;
  /** The `webhook-id` receivers dedupe by: the event's id, the same on every attempt. */
  eventId!: string;
  eventSeq!: number;
  eventType!: string;
  partitionNo!: number;
  orderingKey!: string;
  body!: string;
  status: Opt<DeliveryStatus> = "pending";
  attempts: Opt<number> = 0;
  nextAttemptAtMs!: number;
  createdAtMs!: number;
  lastStatusCode: number | null = null;
  lastError: string | null = null;
  deliveredAtMs: number | null = null;
}

export const WebhookDeliverySchema = new EntitySchema<WebhookDelivery>({
  class: WebhookDelivery,
  tableName: "webhook_deliveries",
  filters: { tenant: tenantFilter },
  indexes: [
    { properties: ["partitionNo", "status", "eventSeq"] },
    { properties: ["endpointId", "createdAtMs"] },
  ],
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    endpointId: { type: "string", length: 40 },
    eventId: { type: "string", length: 60 },
    eventSeq: { type: new BigIntType("number") },
    eventType: { type: "string", length: 60 },
    partitionNo: { type: "integer" },
    orderingKey: { type: "string", length: 60 },
    body: { type: "text" },
    status: { type: "string", length: 20 },
    attempts: { type: "integer" },
    nextAttemptAtMs: { type: new BigIntType("number") },
    createdAtMs: { type: new BigIntType("number") },
    lastStatusCode: { type: "integer", nullable: true },
    lastError: { type: "string", length: 500, nullable: true },
    deliveredAtMs: { type: new BigIntType("number"), nullable: true },
  },
});

/** One HTTP attempt of a delivery, for the delivery log. */
export class WebhookAttempt implements TenantOwned {
  id!: string;
  tenant!: string;
  deliveryId!: string;
  attempt!: number;
  statusCode: number | null = null;
  error: string | null = null;
  durationMs!: number;
  atMs!: number;
}

export const WebhookAttemptSchema = new EntitySchema<WebhookAttempt>({
  class: WebhookAttempt,
  tableName: "webhook_attempts",
  filters: { tenant: tenantFilter },
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    deliveryId: { type: "string", length: 40, index: true },
    attempt: { type: "integer" },
    statusCode: { type: "integer", nullable: true },
    error: { type: "string", length: 500, nullable: true },
    durationMs: { type: "integer" },
    atMs: { type: new BigIntType("number") },
  },
});
