import { Migration } from "@mikro-orm/migrations";

/** Reminders: how many minutes before each booking a tenant's customers are reminded. */
export class Migration20261204177000_reminders extends Migration {
  override async up(): Promise<void> {
    this.addSql("alter table `tenants` add `reminder_minutes_before` int null;");
  }

  override async down(): Promise<void> {
    this.addSql("alter table `tenants` drop column `reminder_minutes_before`;");
  }
}
