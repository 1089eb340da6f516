import { Migration } from "@mikro-orm/migrations";

/** Branding beyond colours and logo: the widget's font and corner radius. */
export class Migration20261204060000_tenant_branding extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      "alter table `tenants` add `font_family` varchar(100) null, add `corner_radius_px` int null;",
    );
  }

  override async down(): Promise<void> {
    this.addSql("alter table `tenants` drop column `font_family`, drop column `corner_radius_px`;");
  }
}
