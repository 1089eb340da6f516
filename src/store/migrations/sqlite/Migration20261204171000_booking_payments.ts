import { Migration } from "@mikro-orm/migrations";

/** Prepayment for bookings: services that require it, tenants' refund rules, the payments. */
export class Migration20261204171000_booking_payments extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "alter table `services` add column `requires_prepayment` integer not null default false;",
    );
    this.addSql("alter table `tenants` add column `refund_policy` text not null default 'full';");
    this.addSql(
      "alter table `tenants` add column `refund_cutoff_hours` integer not null default 24;",
    );
    this.addSql(
      "create table `booking_payments` (`id` text not null, `tenant_id` text not null, `hold_id` text not null, `booking_id` text null, `checkout_session_id` text not null, `payment_intent_id` text null, `amount_cents` integer not null, `currency` text not null, `status` text not null, `refund_id` text null, `refunded_cents` integer not null default 0, `customer_name` text not null, `customer_email` text not null, `customer_phone` text null, `created_at` datetime not null, `updated_at` datetime not null, constraint `booking_payments_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`id`));",
    );
    this.addSql(
      "create index `booking_payments_tenant_id_index` on `booking_payments` (`tenant_id`);",
    );
    this.addSql(
      "create unique index `booking_payments_hold_id_unique` on `booking_payments` (`hold_id`);",
    );
    this.addSql(
      "create index `booking_payments_booking_id_index` on `booking_payments` (`booking_id`);",
    );
    this.addSql(
      "create unique index `booking_payments_checkout_session_id_unique` on `booking_payments` (`checkout_session_id`);",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `booking_payments`;");
    this.addSql("alter table `tenants` drop column `refund_policy`;");
    this.addSql("alter table `tenants` drop column `refund_cutoff_hours`;");
    this.addSql("alter table `services` drop column `requires_prepayment`;");
  }
}
