import { Migration } from "@mikro-orm/migrations";

/** Private iCalendar feeds of calendars: the HMAC of each feed's secret token. */
export class Migration20261204175000_calendar_feeds extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `calendar_feeds` (`calendar_id` text not null, `tenant_id` text not null, `token_hash` text not null, `created_at` datetime not null, constraint `calendar_feeds_tenant_id_foreign` foreign key(`tenant_id`) references `tenants`(`id`) on update cascade, primary key (`calendar_id`));",
    );
    this.addSql("create index `calendar_feeds_tenant_id_index` on `calendar_feeds` (`tenant_id`);");
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `calendar_feeds`;");
  }
}
