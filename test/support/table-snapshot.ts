import type { Database } from "../../src/store/database.js";

/**
 * Tables written in the background after an answer, so a snapshot taken right after a
 * successful call could race them: `email_messages` records each email once its sending was
 * tried; the outbox workers create webhook deliveries and their attempts. The email and
 * webhook suites check those rows themselves.
 */
const backgroundTables = new Set(["email_messages", "webhook_deliveries", "webhook_attempts"]);

/**
 * Columns written in the background: an outbox event is written with its change (and compared
 * like any row) but marked dispatched by a worker a moment later.
 */
const backgroundColumns: Record<string, string[]> = { outbox_events: ["dispatched_at_ms"] };

/**
 * Every row of every table the ORM maps (but the background ones above), as text: two equal
 * snapshots mean nothing was written in between.
 */
export async function snapshotTables(db: Database): Promise<string> {
  const connection = db.orm.em.getConnection();
  const tables = db.orm.getMetadata().getAll();
  const parts: string[] = [];
  for (const meta of Object.values(tables)) {
    if (!meta.tableName || meta.embeddable || meta.virtual) continue;
    if (backgroundTables.has(meta.tableName)) continue;
    const rows = await connection.execute(`select * from ${meta.tableName} order by 1`);
    for (const column of backgroundColumns[meta.tableName] ?? []) {
      for (const row of rows) delete (row as Record<string, unknown>)[column];
    }
    parts.push(`${meta.tableName}:${JSON.stringify(rows)}`);
  }
  return parts.sort().join("\n");
}
