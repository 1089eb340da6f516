import { Migration } from "@mikro-orm/migrations";

/** Private iCalendar feeds of calendars: the HMAC of each feed's secret token. */
export class Migration20261204175000_calendar_feeds extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "create table `calendar_feeds` (`calendar_id` varchar(40) not null, `tenant_id` varchar(40) not null, `token_hash` varchar(64) not null, `created_at` datetime(3) not null, primary key (`calendar_id`)) default character set utf8mb4 engine = InnoDB;",
    );
    this.addSql(
      "alter table `calendar_feeds` add index `calendar_feeds_tenant_id_index`(`tenant_id`);",
    );
    this.addSql(
      "alter table `calendar_feeds` add constraint `calendar_feeds_tenant_id_foreign` foreign key (`tenant_id`) references `tenants` (`id`) on update cascade;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("drop table if exists `calendar_feeds`;");
  }
}
