import type { Knex } from "@mikro-orm/knex";
import { actorErrors } from "../../actors/index.js";
import type { ShardFence } from "./shard-epochs.js";

/** Statements a fenced write runs, in order, made from the transaction they run in. */
export type FencedStatements = (trx: Knex.Transaction) => Knex.QueryBuilder[];

/**
 * Runs `build`'s statements in one transaction under the shard's fence: the shard's epoch is
 * read first (with a shared lock on MySQL, so a takeover's bump waits for this transaction),
 * and the transaction commits only when it is still `fence.epoch`.
 *
 * On MySQL the epoch read and every statement travel to the server as one multi-statement
 * query, so a group commit costs three round trips (BEGIN, the batch, COMMIT) however many
 * statements it has; the epoch is compared before COMMIT, and a mismatch rolls everything
 * back. SQLite runs in process and has one writer, so its statements run one by one.
 */
export async function writeFenced(
  knex: Knex,
  fence: ShardFence,
  mysql: boolean,
  build: FencedStatements,
): Promise<void> {
  await knex.transaction(async (trx) => {
    if (!mysql) {
      checkEpoch(await epochRead(trx, fence, false).first(), fence);
      for (const statement of build(trx)) await statement;
      return;
    }
    const statements = [epochRead(trx, fence, true), ...build(trx)].map((s) =>
      s.toSQL().toNative(),
    );
    const sql = statements.map((s) => s.sql).join(";\n");
    const bindings = statements.flatMap((s) => s.bindings as Knex.Value[]);
    const [results] = (await trx.raw(sql, bindings)) as [unknown[]];
    // One statement answers its rows; several answer one result per statement.
    const epochRows = (statements.length === 1 ? results : results[0]) as { epoch: number }[];
    checkEpoch(epochRows[0], fence);
  });
}

function epochRead(trx: Knex.Transaction, fence: ShardFence, mysql: boolean) {
  const read = trx("shard_owners").select("epoch").where({ shard: fence.shard });
  return mysql ? read.forShare() : read;
}

function checkEpoch(row: { epoch: number } | undefined, fence: ShardFence): void {
  if (row === undefined || Number(row.epoch) !== fence.epoch) {
    throw actorErrors.fenced(fence.shard, fence.epoch);
  }
}

/** Multi-row inserts of at most `size` rows each (SQLite caps a statement's parameters). */
export function insertChunks(
  trx: Knex.Transaction,
  table: string,
  rows: readonly object[],
  size: number,
): Knex.QueryBuilder[] {
  const inserts: Knex.QueryBuilder[] = [];
  for (let i = 0; i < rows.length; i += size) {
    inserts.push(trx(table).insert(rows.slice(i, i + size)));
  }
  return inserts;
}
