import { Migration } from "@mikro-orm/migrations";

export class Migration20261203220200_custom_domains extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table \`tenants\` add column \`custom_domain_requested\` text null;`);
    this.addSql(`alter table \`tenants\` add column \`custom_domain_token\` text null;`);
    this.addSql(`alter table \`tenants\` add column \`custom_domain_verified_at\` datetime null;`);
  }
}
