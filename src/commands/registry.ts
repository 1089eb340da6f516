import { adminListTenants, adminUpdateTenant } from "./admin-commands.js";
import { adminClusterProbe, adminClusterView } from "./cluster-commands.js";
import type { AnyCommand } from "./command.js";
import { createKey, getTenant, listKeys, logIn, revokeKey, signUp } from "./tenancy-commands.js";
import { widgetConfig } from "./widget-commands.js";

/** Every command of the engine, by name. Adapters look commands up here and nowhere else. */
export const commands = {
  signUp,
  logIn,
  getTenant,
  createKey,
  listKeys,
  revokeKey,
  adminListTenants,
  adminUpdateTenant,
  widgetConfig,
  adminClusterView,
  adminClusterProbe,
} as const;

/** Every command as a list, for generated documents and tool lists. */
export const commandList: readonly AnyCommand[] = Object.values(commands);
