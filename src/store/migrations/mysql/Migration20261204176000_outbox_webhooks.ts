import { Migration } from "@mikro-orm/migrations";

/** The outbox of domain events; tenants' outbound webhook endpoints, deliveries and attempts. */
export class Migration20261204176000_outbox_webhooks extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `outbox_events` (`seq` bigint unsigned not null auto_increment primary key, `id` varchar(60) not null, `tenant_id` varchar(40) not null, `partition_no` int not null, `ordering_key` varchar(60) not null, `type` varchar(60) not null, `payload` json not null, `created_at_ms` bigint not null, `dispatched_at_ms` bigint null) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql("alter table `outbox_events` add unique `outbox_events_id_unique`(`id`);");
    this.addSql(
      "alter table `outbox_events` add index `outbox_events_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `outbox_events` add index `outbox_events_partition_no_dispatched_at_ms_index`(`partition_no`, `dispatched_at_ms`);",
    );
    this.addSql(
      "create table `webhook_attempts` (`id` varchar(40) not null, `tenant_id` varchar(40) not null, `delivery_id` varchar(40) not null, `attempt` int not null, `status_code` int null, `error` varchar(500) null, `duration_ms` int not null, `at_ms` bigint not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `webhook_attempts` add index `webhook_attempts_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `webhook_attempts` add index `webhook_attempts_delivery_id_index`(`delivery_id`);",
    );
    this.addSql(
      "create table `webhook_deliveries` (`id` varchar(40) not null, `tenant_id` varchar(40) not null, `endpoint_id` varchar(40) not null, `event_id` varchar(60) not null, `event_seq` bigint not null, `event_type` varchar(60) not null, `partition_no` int not null, `ordering_key` varchar(60) not null, `body` text not null, `status` varchar(20) not null default 'pending', `attempts` int not null default 0, `next_attempt_at_ms` bigint not null, `created_at_ms` bigint not null, `last_status_code` int null, `last_error` varchar(500) null, `delivered_at_ms` bigint null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `webhook_deliveries` add index `webhook_deliveries_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `webhook_deliveries` add index `webhook_deliveries_partition_no_status_event_seq_index`(`partition_no`, `status`, `event_seq`);",
    );
    this.addSql(
      "alter table `webhook_deliveries` add index `webhook_deliveries_endpoint_id_created_at_ms_index`(`endpoint_id`, `created_at_ms`);",
    );
    this.addSql(
      "create table `webhook_endpoints` (`id` varchar(40) not null, `tenant_id` varchar(40) not null, `url` varchar(2000) not null, `description` varchar(200) null, `events` json not null, `secret_prefix` varchar(24) not null, `secret_ciphertext` varchar(255) not null, `is_active` tinyint(1) not null default true, `disabled_reason` varchar(300) null, `disabled_at` datetime(3) null, `created_at` datetime(3) not null, `updated_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `webhook_endpoints` add index `webhook_endpoints_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `outbox_events` add constraint `outbox_events_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
    this.addSql(
      "alter table `webhook_attempts` add constraint `webhook_attempts_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
    this.addSql(
      "alter table `webhook_deliveries` add constraint `webhook_deliveries_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
    this.addSql(
      "alter table `webhook_endpoints` add constraint `webhook_endpoints_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `outbox_events`;");
    this.addSql("drop table if exists `webhook_attempts`;");
    this.addSql("drop table if exists `webhook_deliveries`;");
    this.addSql("drop table if exists `webhook_endpoints`;");
  }
}
