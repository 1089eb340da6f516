import { Migration } from "@mikro-orm/migrations";
import { planSeedDownSql, planSeedSql } from "../plan-seed.js";

/** Seeds the starter, professional, business and enterprise plans. */
export class Migration20261203160200_seed_plans extends Migration {
  override async up(): Promise<void> {
    this.addSql(planSeedSql);
  }

  override async down(): Promise<void> {
    this.addSql(planSeedDownSql);
  }
}
