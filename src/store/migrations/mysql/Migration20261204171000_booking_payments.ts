import { Migration } from "@mikro-orm/migrations";

/** Prepayment for bookings: services that require it, tenants' refund rules, the payments. */
export class Migration20261204171000_booking_payments extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "alter table `services` add `requires_prepayment` tinyint(1) not null default false;",
    );
    this.addSql(
      "alter table `tenants` add `refund_policy` varchar(10) not null default 'full', add `refund_cutoff_hours` int not null default 24;",
    );
    this.addSql(
      "create table `booking_payments` (`id` varchar(40) not null, `tenant_id` varchar(40) not null, `hold_id` varchar(40) not null, `booking_id` varchar(40) null, `checkout_session_id` varchar(255) not null, `payment_intent_id` varchar(255) null, `amount_cents` int not null, `currency` varchar(3) not null, `status` varchar(20) not null, `refund_id` varchar(255) null, `refunded_cents` int not null default 0, `customer_name` varchar(200) not null, `customer_email` varchar(255) not null, `customer_phone` varchar(40) null, `created_at` datetime(3) not null, `updated_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `booking_payments` add index `booking_payments_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `booking_payments` add unique `booking_payments_hold_id_unique`(`hold_id`);",
    );
    this.addSql(
      "alter table `booking_payments` add index `booking_payments_booking_id_index`(`booking_id`);",
    );
    this.addSql(
      "alter table `booking_payments` add unique `booking_payments_checkout_session_id_unique`(`checkout_session_id`);",
    );
    this.addSql(
      "alter table `booking_payments` add constraint `booking_payments_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `booking_payments`;");
    this.addSql(
      "alter table `tenants` drop column `refund_policy`, drop column `refund_cutoff_hours`;",
    );
    this.addSql("alter table `services` drop column `requires_prepayment`;");
  }
}
