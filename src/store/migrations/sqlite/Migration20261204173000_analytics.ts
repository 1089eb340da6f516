import { Migration } from "@mikro-orm/migrations";

/**
 * Analytics: the protocol each booking was made over, API requests per tenant, protocol and
 * day, and the indexes the per-day aggregates read (bookings by start, status changes by time).
 */
export class Migration20261204173000_analytics extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `bookings` add column `source` text null;");
    this.addSql(
      "create index `bookings_tenant_id_start_ms_index` on `bookings` (`tenant_id`, `start_ms`);",
    );
    this.addSql(
      "create index `booking_events_tenant_id_at_ms_index` on `booking_events` (`tenant_id`, `at_ms`);",
    );
    this.addSql(
      "create table `tenant_protocol_usage` (`tenant_id` text not null, `day` text not null, `protocol` text not null, `requests` integer not null, constraint `tenant_protocol_usage_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`tenant_id`, `day`, `protocol`));",
    );
    this.addSql(
      "create index `tenant_protocol_usage_tenant_id_index` on `tenant_protocol_usage` (`tenant_id`);",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `tenant_protocol_usage`;");
    this.addSql("drop index if exists `booking_events_tenant_id_at_ms_index`;");
    this.addSql("drop index if exists `bookings_tenant_id_start_ms_index`;");
    this.addSql("alter table `bookings` drop column `source`;");
  }
}
