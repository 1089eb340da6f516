import type { EntityManager } from "@mikro-orm/core";
import { OutboxEvent, type Tenant } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { outboxPartitionOf } from "../store/outbox-rows.js";
import { viewTenant } from "./tenant-view.js";

/**
 * Adds a `tenant.updated` event to the unit of work, so it commits with the change it reports:
 * the tenant as the API shows it (plan loaded) and what changed, `before` and `after`.
 */
export function recordTenantUpdated(
  em: EntityManager,
  tenant: Tenant,
  change: { before: Record<string, unknown>; after: Record<string, unknown> },
): void {
  em.create(OutboxEvent, {
    id: newId(idPrefixes.outboxEvent),
    tenant: tenant.id,
    partitionNo: outboxPartitionOf(tenant.id),
    orderingKey: tenant.id,
    type: "tenant.updated",
    payload: { ...viewTenant(tenant), change },
    createdAtMs: Date.now(),
  });
}
