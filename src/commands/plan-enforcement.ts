import type { TrialExpiryDeps } from "../tenants/trial-expiry.js";
import type { EngineServices } from "./command.js";

/** What ending a trial needs from the engine: its database and its identity cache. */
export function trialExpiryDeps(services: EngineServices): TrialExpiryDeps {
  return {
    db: services.db,
    forgetTenant: (id) => services.identities.invalidate({ kind: "tenant", id }),
  };
}
