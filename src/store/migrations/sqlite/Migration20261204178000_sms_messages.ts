import { Migration } from "@mikro-orm/migrations";

/** Text messages sent for tenants: the SMS log and meter. */
export class Migration20261204178000_sms_messages extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `sms_messages` (`id` text not null, `tenant_id` text not null, `to` text not null, `template` text not null, `body` text not null, `status` text not null, `provider_id` text null, `error` text null, `created_at` datetime not null, constraint `sms_messages_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`id`));",
    );
    this.addSql("create index `sms_messages_tenant_id_index` on `sms_messages` (`tenant_id`);");
    this.addSql(
      "create index `sms_messages_tenant_id_created_at_index` on `sms_messages` (`tenant_id`, `created_at`);",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `sms_messages`;");
  }
}
