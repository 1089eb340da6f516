import { Migration } from "@mikro-orm/migrations";

/**
 * Analytics: the protocol each booking was made over, API requests per tenant, protocol and
 * day, and the indexes the per-day aggregates read (bookings by start, status changes by time).
 */
export class Migration20261204173000_analytics extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "alter table `bookings` add `source` varchar(20) null, add index `bookings_tenant_id_start_ms_index`(`tenant_id`, `start_ms`);",
    );
    this.addSql(
      "alter table `booking_events` add index `booking_events_tenant_id_at_ms_index`(`tenant_id`, `at_ms`);",
    );
    this.addSql(
      "create table `tenant_protocol_usage` (`tenant_id` varchar(40) not null, `day` varchar(10) not null, `protocol` varchar(20) not null, `requests` int not null, primary key (`tenant_id`, `day`, `protocol`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `tenant_protocol_usage` add index `tenant_protocol_usage_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `tenant_protocol_usage` add constraint `tenant_protocol_usage_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `tenant_protocol_usage`;");
    this.addSql("alter table `booking_events` drop index `booking_events_tenant_id_at_ms_index`;");
    this.addSql(
      "alter table `bookings` drop index `bookings_tenant_id_start_ms_index`, drop column `source`;",
    );
  }
}
