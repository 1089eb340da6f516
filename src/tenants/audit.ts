import type { EntityManager } from "@mikro-orm/core";
import { describePrincipal, type Principal } from "../domain/principal.js";
import { AuditLog, type AuditActorKind } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";

/** Where a change came from, for the audit trail. */
export interface AuditOrigin {
  principal: Principal;
  protocol?: string | undefined;
  ipAddress?: string | undefined;
  requestId?: string | undefined;
}

/** One change to record. */
export interface AuditEntry {
  tenantId: string;
  action: string;
  entityType: string;
  entityId?: string | null;
  summary?: Record<string, unknown>;
}

/** Adds an audit record to the unit of work; it is written with the change it reports. */
export function recordAudit(em: EntityManager, origin: AuditOrigin, entry: AuditEntry): void {
  const actor = describePrincipal(origin.principal);
  em.create(AuditLog, {
    id: newId(idPrefixes.auditLog),
    tenant: entry.tenantId,
    actorKind: (actor.kind === "anonymous" ? "system" : actor.kind) as AuditActorKind,
    actorId: actor.id,
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId ?? null,
    summary: entry.summary ?? null,
    protocol: origin.protocol ?? null,
    ipAddress: origin.ipAddress ?? null,
    requestId: origin.requestId ?? null,
    createdAt: new Date(),
  });
}
