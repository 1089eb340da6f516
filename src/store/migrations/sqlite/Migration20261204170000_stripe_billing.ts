import { Migration } from "@mikro-orm/migrations";

/** Stripe subscriptions: the tenant's billing columns and the events already applied. */
export class Migration20261204170000_stripe_billing extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `tenants` add column `stripe_customer_id` text null;");
    this.addSql("alter table `tenants` add column `stripe_subscription_id` text null;");
    this.addSql("alter table `tenants` add column `billing_interval` text null;");
    this.addSql("alter table `tenants` add column `current_period_end` datetime null;");
    this.addSql("alter table `tenants` add column `subscription_status_at` datetime null;");
    this.addSql("alter table `tenants` add column `extra_users` integer not null default 0;");
    this.addSql("alter table `tenants` add column `sms_addon` integer not null default false;");
    this.addSql(
      "create unique index `tenants_stripe_customer_id_unique` on `tenants` (`stripe_customer_id`);",
    );
    this.addSql(
      "create table `stripe_events` (`id` text not null, `type` text not null, `received_at` datetime not null, `tenant_id` text null, primary key (`id`));",
    );
    this.addSql("create index `stripe_events_tenant_id_index` on `stripe_events` (`tenant_id`);");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `stripe_events`;");
    this.addSql("drop index if exists `tenants_stripe_customer_id_unique`;");
    for (const column of [
      "stripe_customer_id",
      "stripe_subscription_id",
      "billing_interval",
      "current_period_end",
      "subscription_status_at",
      "extra_users",
      "sms_addon",
    ]) {
      this.addSql(`alter table \`tenants\` drop column \`${column}\`;`);
    }
  }
}
