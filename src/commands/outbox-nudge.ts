import { outboxPartitionOf } from "../store/outbox-rows.js";
import type { EngineServices } from "./command.js";

/**
 * Wakes the outbox worker of an ordering key's partition after a command committed an event
 * for it; the periodic sweep picks the event up anyway if the nudge is lost.
 */
export function nudgeOutbox(services: EngineServices, orderingKey: string): void {
  const partition = outboxPartitionOf(orderingKey);
  void services.actors
    .ask(`outbox:${partition}`, { op: "drain" }, { timeoutMs: 60_000 })
    .catch(() => undefined);
}
