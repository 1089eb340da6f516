import { Migration } from "@mikro-orm/migrations";

export class Migration20261203220200_custom_domains extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table \`tenants\` add \`custom_domain_requested\` varchar(255) null, add \`custom_domain_token\` varchar(64) null, add \`custom_domain_verified_at\` datetime(3) null;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table \`tenants\` drop column \`custom_domain_requested\`, drop column \`custom_domain_token\`, drop column \`custom_domain_verified_at\`;`,
    );
  }
}
