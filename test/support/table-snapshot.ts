import type { Database } from "../../src/store/database.js";

/**
 * Every row of every table the ORM maps, as text: two equal snapshots mean nothing was
 * written in between.
 */
export async function snapshotTables(db: Database): Promise<string> {
  const connection = db.orm.em.getConnection();
  const tables = db.orm.getMetadata().getAll();
  const parts: string[] = [];
  for (const meta of Object.values(tables)) {
    if (!meta.tableName || meta.embeddable || meta.virtual) continue;
    const rows = await connection.execute(`select * from ${meta.tableName} order by 1`);
    parts.push(`${meta.tableName}:${JSON.stringify(rows)}`);
  }
  return parts.sort().join("\n");
}
