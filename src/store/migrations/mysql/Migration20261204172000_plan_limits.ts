import { Migration } from "@mikro-orm/migrations";

/** Tenants' uploaded files (logos), counted against the plan's storage limit. */
export class Migration20261204172000_plan_limits extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `uploads` (`id` varchar(40) not null, `tenant_id` varchar(40) not null, `kind` varchar(20) not null, `content_type` varchar(100) not null, `size_bytes` int not null, `sha256` varchar(64) not null, `data` mediumblob not null, `created_at` datetime(3) not null, primary key (`id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql("alter table `uploads` add index `uploads_tenant_id_index`(`tenant_id`);");
    this.addSql(
      "alter table `uploads` add constraint `uploads_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `uploads`;");
  }
}
