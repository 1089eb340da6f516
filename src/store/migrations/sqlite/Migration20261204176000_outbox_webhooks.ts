import { Migration } from "@mikro-orm/migrations";

/** The outbox of domain events; tenants' outbound webhook endpoints, deliveries and attempts. */
export class Migration20261204176000_outbox_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `outbox_events` (`seq` integer not null primary key autoincrement, `id` text not null, `tenant_id` text not null, `partition_no` integer not null, `ordering_key` text not null, `type` text not null, `payload` json not null, `created_at_ms` bigint not null, `dispatched_at_ms` bigint null, constraint `outbox_events_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade);",
    );
    this.addSql("create unique index `outbox_events_id_unique` on `outbox_events` (`id`);");
    this.addSql("create index `outbox_events_tenant_id_index` on `outbox_events` (`tenant_id`);");
    this.addSql(
      "create index `outbox_events_partition_no_dispatched_at_ms_index` on `outbox_events` (`partition_no`, `dispatched_at_ms`);",
    );
    this.addSql(
      "create table `webhook_attempts` (`id` text not null, `tenant_id` text not null, `delivery_id` text not null, `attempt` integer not null, `status_code` integer null, `error` text null, `duration_ms` integer not null, `at_ms` bigint not null, constraint `webhook_attempts_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`id`));",
    );
    this.addSql(
      "create index `webhook_attempts_tenant_id_index` on `webhook_attempts` (`tenant_id`);",
    );
    this.addSql(
      "create index `webhook_attempts_delivery_id_index` on `webhook_attempts` (`delivery_id`);",
    );
    this.addSql(
      "create table `webhook_deliveries` (`id` text not null, `tenant_id` text not null, `endpoint_id` text not null, `event_id` text not null, `event_seq` bigint not null, `event_type` text not null, `partition_no` integer not null, `ordering_key` text not null, `body` text not null, `status` text not null default 'pending', `attempts` integer not null default 0, `next_attempt_at_ms` bigint not null, `created_at_ms` bigint not null, `last_status_code` integer null, `last_error` text null, `delivered_at_ms` bigint null, constraint `webhook_deliveries_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`id`));",
    );
    this.addSql(
      "create index `webhook_deliveries_tenant_id_index` on `webhook_deliveries` (`tenant_id`);",
    );
    this.addSql(
      "create index `webhook_deliveries_partition_no_status_event_seq_index` on `webhook_deliveries` (`partition_no`, `status`, `event_seq`);",
    );
    this.addSql(
      "create index `webhook_deliveries_endpoint_id_created_at_ms_index` on `webhook_deliveries` (`endpoint_id`, `created_at_ms`);",
    );
    this.addSql(
      "create table `webhook_endpoints` (`id` text not null, `tenant_id` text not null, `url` text not null, `description` text null, `events` json not null, `secret_prefix` text not null, `secret_ciphertext` text not null, `is_active` integer not null default true, `disabled_reason` text null, `disabled_at` datetime null, `created_at` datetime not null, `updated_at` datetime not null, constraint `webhook_endpoints_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`id`));",
    );
    this.addSql(
      "create index `webhook_endpoints_tenant_id_index` on `webhook_endpoints` (`tenant_id`);",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `outbox_events`;");
    this.addSql("drop table if exists `webhook_attempts`;");
    this.addSql("drop table if exists `webhook_deliveries`;");
    this.addSql("drop table if exists `webhook_endpoints`;");
  }
}
