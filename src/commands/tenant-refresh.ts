import { askActor } from "./actor-errors.js";
import type { EngineServices } from "./command.js";

/**
 * Makes a changed tenant (status, plan, limits) take effect at once on every node: the
 * identity cache forgets it and its actor reads the booking limit again.
 */
export async function refreshTenant(services: EngineServices, tenantId: string): Promise<void> {
  services.identities.invalidate({ kind: "tenant", id: tenantId });
  // The tenant actor caches the plan's limit; a new plan applies from the next booking.
  await askActor(services.actors.ask(`tenant:${tenantId}`, { op: "reload" }));
}
