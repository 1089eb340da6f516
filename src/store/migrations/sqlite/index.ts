import { Migration20261203164452_booking_engine } from "./Migration20261203164452_booking_engine.js";
import { Migration20261203162303_actor_runtime } from "./Migration20261203162303_actor_runtime.js";
import { Migration20261203160200_seed_plans } from "./Migration20261203160200_seed_plans.js";
import { Migration20261203160118_initial } from "./Migration20261203160118_initial.js";
import type { MigrationObject } from "@mikro-orm/core";

/** The sqlite migrations, oldest first. `npm run migration:create` appends to this list. */
export const sqliteMigrations: MigrationObject[] = [
  { name: "Migration20261203160118_initial", class: Migration20261203160118_initial },
  { name: "Migration20261203160200_seed_plans", class: Migration20261203160200_seed_plans },
  { name: "Migration20261203162303_actor_runtime", class: Migration20261203162303_actor_runtime },
  { name: "Migration20261203164452_booking_engine", class: Migration20261203164452_booking_engine },
];
