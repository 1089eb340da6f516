import { Migration } from "@mikro-orm/migrations";

/** Outgoing email records and staff email verification. */
export class Migration20261204174000_email_onboarding extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `users` add column `email_verified_at` datetime null;");
    this.addSql(
      "create table `email_messages` (`id` text not null, `tenant_id` text null, `to` text not null, `subject` text not null, `template` text not null, `status` text not null, `error` text null, `created_at` datetime not null, constraint `email_messages_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on delete cascade on update cascade, primary key (`id`));",
    );
    this.addSql("create index `email_messages_tenant_id_index` on `email_messages` (`tenant_id`);");
    this.addSql(
      "create index `email_messages_tenant_id_created_at_index` on `email_messages` (`tenant_id`, `created_at`);",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `email_messages`;");
    this.addSql("alter table `users` drop column `email_verified_at`;");
  }
}
