import { Migration } from "@mikro-orm/migrations";

/** Tenants' uploaded files (logos), counted against the plan's storage limit. */
export class Migration20261204172000_plan_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `uploads` (`id` text not null, `tenant_id` text not null, `kind` text not null, `content_type` text not null, `size_bytes` integer not null, `sha256` text not null, `data` blob not null, `created_at` datetime not null, constraint `uploads_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`id`));",
    );
    this.addSql("create index `uploads_tenant_id_index` on `uploads` (`tenant_id`);");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `uploads`;");
  }
}
