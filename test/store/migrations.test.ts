import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Database } from "../../src/store/database.js";
import { SaasPlan } from "../../src/store/entities/index.js";
import { migrationsFor } from "../../src/store/orm-config.js";
import { dialectsUnderTest } from "../support/databases.js";

/** Every `table.column` an entity maps that the migrated database does not have. */
async function missingColumns(db: Database): Promise<string[]> {
  const connection = db.orm.em.getConnection();
  const missing: string[] = [];
  for (const meta of Object.values(db.orm.getMetadata().getAll())) {
    const sql =
      db.target.dialect === "sqlite"
        ? `select name from pragma_table_info('${meta.tableName}')`
        : `select column_name as name from information_schema.columns
             where table_schema = database() and table_name = '${meta.tableName}'`;
    const rows: { name: string }[] = await connection.execute(sql);
    const present = new Set(rows.map((row) => row.name));
    if (present.size === 0) missing.push(`${meta.tableName} (no such table)`);
    for (const prop of meta.props) {
      for (const field of prop.fieldNames ?? []) {
        if (!present.has(field)) missing.push(`${meta.tableName}.${field}`);
      }
    }
  }
  return missing;
}

for (const dialect of dialectsUnderTest()) {
  const migrations = suite(`store: migrations (${dialect.name})`);

  migrations("apply from empty, then again as a no-op, leaving no drift", async () => {
    const scratch = await dialect.create("migrations");
    const db = await Database.open(scratch.target);
    try {
      const expected = migrationsFor(dialect.name).map((migration) => migration.name);
      assert.equal(await db.migrate(), expected);
      assert.equal(await db.migrate(), []);
      assert.equal(await db.pendingMigrations(), []);

      assert.equal(await missingColumns(db), [], "entities map columns the migrations lack");
      if (dialect.name === "sqlite") {
        // MariaDB reports JSON and defaults in forms the MySQL driver's diff misreads, so the
        // full diff is checked on SQLite; both dialects check every mapped column exists.
        const drift = await db.orm.getSchemaGenerator().getUpdateSchemaSQL({ wrap: false });
        assert.is(drift.trim(), "", `entities and migrations disagree:\n${drift}`);
      }
    } finally {
      await db.close();
      await scratch.drop();
    }
  });

  migrations("seed the four plans with the seed document's limits", async () => {
    const scratch = await dialect.create("plans");
    const db = await Database.open(scratch.target);
    try {
      await db.migrate();
      const plans = await db.fork().find(SaasPlan, {}, { orderBy: { sortOrder: "asc" } });
      const summary = plans.map((p) => [p.slug, p.maxUsers, p.maxBookingsPerMonth, p.maxEvents]);
      assert.equal(summary, [
        ["starter", 3, 100, 5],
        ["professional", 10, 500, 25],
        ["business", 50, 2000, 100],
        ["enterprise", -1, -1, -1],
      ]);
      const apiAccess = plans.map((p) => p.apiAccess);
      assert.equal(apiAccess, [false, true, true, true]);
      assert.equal(
        plans.map((p) => p.rateLimitPerMinute),
        [200, 500, 1000, 5000],
      );
    } finally {
      await db.close();
      await scratch.drop();
    }
  });

  migrations.run();
}
