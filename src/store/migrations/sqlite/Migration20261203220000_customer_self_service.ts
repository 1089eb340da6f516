import { Migration } from "@mikro-orm/migrations";

export class Migration20261203220000_customer_self_service extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table \`tenants\` add column \`self_service_cancel\` integer not null default true;`,
    );
    this.addSql(
      `alter table \`tenants\` add column \`self_service_reschedule\` integer not null default true;`,
    );
    this.addSql(
      `alter table \`tenants\` add column \`self_service_cutoff_hours\` integer not null default 24;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`tenants\` drop column \`self_service_cancel\`;`);
    this.addSql(`alter table \`tenants\` drop column \`self_service_reschedule\`;`);
    this.addSql(`alter table \`tenants\` drop column \`self_service_cutoff_hours\`;`);
  }
}
