import { Migration20261203220200_custom_domains } from "./Migration20261203220200_custom_domains.js";
import { Migration20261203164452_booking_engine } from "./Migration20261203164452_booking_engine.js";
import { Migration20261203162303_actor_runtime } from "./Migration20261203162303_actor_runtime.js";
import { Migration20261203160200_seed_plans } from "./Migration20261203160200_seed_plans.js";
import { Migration20261203160118_initial } from "./Migration20261203160118_initial.js";
import { Migration20261203220000_customer_self_service } from "./Migration20261203220000_customer_self_service.js";
import { Migration20261203220300_agent_tasks } from "./Migration20261203220300_agent_tasks.js";
import { Migration20261203220100_inbound_webhooks } from "./Migration20261203220100_inbound_webhooks.js";
import { Migration20261204060000_tenant_branding } from "./Migration20261204060000_tenant_branding.js";
import type { MigrationObject } from "@mikro-orm/core";

/** The mysql migrations, oldest first. `npm run migration:create` appends to this list. */
export const mysqlMigrations: MigrationObject[] = [
  { name: "Migration20261203160118_initial", class: Migration20261203160118_initial },
  { name: "Migration20261203160200_seed_plans", class: Migration20261203160200_seed_plans },
  { name: "Migration20261203162303_actor_runtime", class: Migration20261203162303_actor_runtime },
  { name: "Migration20261203164452_booking_engine", class: Migration20261203164452_booking_engine },
  {
    name: "Migration20261203220000_customer_self_service",
    class: Migration20261203220000_customer_self_service,
  },
  { name: "Migration20261203220200_custom_domains", class: Migration20261203220200_custom_domains },
  { name: "Migration20261203220300_agent_tasks", class: Migration20261203220300_agent_tasks },
  {
    name: "Migration20261203220100_inbound_webhooks",
    class: Migration20261203220100_inbound_webhooks,
  },
  {
    name: "Migration20261204060000_tenant_branding",
    class: Migration20261204060000_tenant_branding,
  },
];
