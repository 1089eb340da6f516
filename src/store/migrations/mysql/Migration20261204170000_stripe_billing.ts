import { Migration } from "@mikro-orm/migrations";

/** Stripe subscriptions: the tenant's billing columns and the events already applied. */
export class Migration20261204170000_stripe_billing extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "alter table `tenants` add `stripe_customer_id` varchar(255) null, add `stripe_subscription_id` varchar(255) null, add `billing_interval` varchar(10) null, add `current_period_end` datetime(3) null, add `subscription_status_at` datetime(3) null, add `extra_users` int not null default 0, add `sms_addon` tinyint(1) not null default false;",
    );
    this.addSql(
      "alter table `tenants` add unique `tenants_stripe_customer_id_unique`(`stripe_customer_id`);",
    );
    this.addSql(
      "create table `stripe_events` (`id` varchar(255) not null, `type` varchar(100) not null, `received_at` datetime(3) not null, `tenant_id` varchar(40) null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `stripe_events` add index `stripe_events_tenant_id_index`(`tenant_id`);",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `stripe_events`;");
    this.addSql("alter table `tenants` drop index `tenants_stripe_customer_id_unique`;");
    this.addSql(
      "alter table `tenants` drop column `stripe_customer_id`, drop column `stripe_subscription_id`, drop column `billing_interval`, drop column `current_period_end`, drop column `subscription_status_at`, drop column `extra_users`, drop column `sms_addon`;",
    );
  }
}
