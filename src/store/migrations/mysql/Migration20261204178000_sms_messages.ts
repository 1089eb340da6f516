import { Migration } from "@mikro-orm/migrations";

/** Text messages sent for tenants: the SMS log and meter. */
export class Migration20261204178000_sms_messages extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `sms_messages` (`id` varchar(40) not null, `tenant_id` varchar(40) not null, `to` varchar(32) not null, `template` varchar(40) not null, `body` varchar(1600) not null, `status` varchar(20) not null, `provider_id` varchar(64) null, `error` varchar(500) null, `created_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `sms_messages` add index `sms_messages_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `sms_messages` add index `sms_messages_tenant_id_created_at_index`(`tenant_id`, `created_at`);",
    );
    this.addSql(
      "alter table `sms_messages` add constraint `sms_messages_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `sms_messages`;");
  }
}
