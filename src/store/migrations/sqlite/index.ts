import { Migration20261203160118_initial } from "./Migration20261203160118_initial.js";
import { Migration20261203160200_seed_plans } from "./Migration20261203160200_seed_plans.js";
import { Migration20261203162303_actor_runtime } from "./Migration20261203162303_actor_runtime.js";
import { Migration20261203164452_booking_engine } from "./Migration20261203164452_booking_engine.js";
import { Migration20261203220000_customer_self_service } from "./Migration20261203220000_customer_self_service.js";
import { Migration20261203220100_inbound_webhooks } from "./Migration20261203220100_inbound_webhooks.js";
import { Migration20261203220200_custom_domains } from "./Migration20261203220200_custom_domains.js";
import { Migration20261203220300_agent_tasks } from "./Migration20261203220300_agent_tasks.js";
import { Migration20261204060000_tenant_branding } from "./Migration20261204060000_tenant_branding.js";
import { Migration20261204170000_stripe_billing } from "./Migration20261204170000_stripe_billing.js";
import { Migration20261204171000_booking_payments } from "./Migration20261204171000_booking_payments.js";
import { Migration20261204172000_plan_limits } from "./Migration20261204172000_plan_limits.js";
import { Migration20261204173000_analytics } from "./Migration20261204173000_analytics.js";
import { Migration20261204174000_email_onboarding } from "./Migration20261204174000_email_onboarding.js";
import { Migration20261204175000_calendar_feeds } from "./Migration20261204175000_calendar_feeds.js";
import { Migration20261204176000_outbox_webhooks } from "./Migration20261204176000_outbox_webhooks.js";
import { Migration20261204177000_reminders } from "./Migration20261204177000_reminders.js";
import { Migration20261204178000_sms_messages } from "./Migration20261204178000_sms_messages.js";
import type { MigrationObject } from "@mikro-orm/core";

/** The sqlite migrations, oldest first. `npm run migration:create` appends to this list. */
export const sqliteMigrations: MigrationObject[] = [
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
  { name: "Migration20261204170000_stripe_billing", class: Migration20261204170000_stripe_billing },
  {
    name: "Migration20261204171000_booking_payments",
    class: Migration20261204171000_booking_payments,
  },
  { name: "Migration20261204172000_plan_limits", class: Migration20261204172000_plan_limits },
  { name: "Migration20261204173000_analytics", class: Migration20261204173000_analytics },
  {
    name: "Migration20261204174000_email_onboarding",
    class: Migration20261204174000_email_onboarding,
  },
  { name: "Migration20261204175000_calendar_feeds", class: Migration20261204175000_calendar_feeds },
  {
    name: "Migration20261204176000_outbox_webhooks",
    class: Migration20261204176000_outbox_webhooks,
  },
  { name: "Migration20261204177000_reminders", class: Migration20261204177000_reminders },
  { name: "Migration20261204178000_sms_messages", class: Migration20261204178000_sms_messages },
];
