import { Migration } from "@mikro-orm/migrations";

export class Migration20261203220000_customer_self_service extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table \`tenants\` add \`self_service_cancel\` tinyint(1) not null default true, add \`self_service_reschedule\` tinyint(1) not null default true, add \`self_service_cutoff_hours\` int not null default 24;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table \`tenants\` drop column \`self_service_cancel\`, drop column \`self_service_reschedule\`, drop column \`self_service_cutoff_hours\`;`,
    );
  }
}
