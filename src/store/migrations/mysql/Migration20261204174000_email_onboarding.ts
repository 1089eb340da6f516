import { Migration } from "@mikro-orm/migrations";

/** Outgoing email records and staff email verification. */
export class Migration20261204174000_email_onboarding extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `users` add `email_verified_at` datetime(3) null;");
    this.addSql(
      "create table `email_messages` (`id` varchar(40) not null, `tenant_id` varchar(40) null, `to` varchar(255) not null, `subject` varchar(255) not null, `template` varchar(40) not null, `status` varchar(20) not null, `error` varchar(500) null, `created_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `email_messages` add index `email_messages_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `email_messages` add index `email_messages_tenant_id_created_at_index`(`tenant_id`, `created_at`);",
    );
    this.addSql(
      "alter table `email_messages` add constraint `email_messages_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade on delete cascade;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `email_messages`;");
    this.addSql("alter table `users` drop column `email_verified_at`;");
  }
}
