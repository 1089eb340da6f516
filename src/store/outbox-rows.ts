import { hash32 } from "../../actors/index.js";

/** How many partitions the outbox is split into; each has one worker across the cluster. */
export const outboxPartitions = 16;

/** The partition of an ordering key: every event of one booking lands in the same one. */
export function outboxPartitionOf(orderingKey: string): number {
  return hash32(orderingKey) % outboxPartitions;
}

/** An outbox row as written. */
export interface OutboxRow {
  id: string;
  tenant_id: string;
  partition_no: number;
  ordering_key: string;
  type: string;
  payload: string;
  created_at_ms: number;
}

/**
 * The outbox row of one domain event. `id` must be unique per event: writing the same id twice
 * fails, which is how at-least-once producers (timers) stay exactly-once here.
 */
export function outboxRow(event: {
  id: string;
  tenantId: string;
  orderingKey: string;
  type: string;
  data: Record<string, unknown>;
  atMs: number;
}): OutboxRow {
  return {
    id: event.id,
    tenant_id: event.tenantId,
    partition_no: outboxPartitionOf(event.orderingKey),
    ordering_key: event.orderingKey,
    type: event.type,
    payload: JSON.stringify(event.data),
    created_at_ms: event.atMs,
  };
}
