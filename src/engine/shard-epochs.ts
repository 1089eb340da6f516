import { actorErrors, type EpochStore } from "../../actors/index.js";
import type { Knex } from "@mikro-orm/knex";
import type { Database } from "../store/database.js";
import { knexOf } from "./knex-access.js";

/** A shard's fencing epoch as actors of that shard must write under it. */
export interface ShardFence {
  shard: number;
  epoch: number;
}

/**
 * Fencing epochs in `shard_owners`. A claim reads the epochs (locked on MySQL), bumps them and
 * keeps only the shards whose epoch rose by exactly one, all in one transaction; every write
 * of a shard's actors checks the epoch inside its own transaction.
 */
export class DatabaseEpochStore implements EpochStore {
  private readonly knex: Knex;
  private readonly mysql: boolean;

  constructor(db: Database) {
    this.knex = knexOf(db);
    this.mysql = db.target.dialect === "mysql";
  }

  async claim(shards: readonly number[], nodeId: string): Promise<Map<number, number>> {
    const won = new Map<number, number>();
    for (let i = 0; i < shards.length; i += 500) {
      for (const [shard, epoch] of await this.claimChunk(shards.slice(i, i + 500), nodeId)) {
        won.set(shard, epoch);
      }
    }
    return won;
  }

  private async claimChunk(shards: readonly number[], nodeId: string) {
    const won = new Map<number, number>();
    if (shards.length === 0) return won;
    await this.knex("shard_owners")
      .insert(shards.map((shard) => ({ shard, epoch: 0 })))
      .onConflict("shard")
      .ignore();

    await this.knex.transaction(async (trx) => {
      let read = trx("shard_owners").select("shard", "epoch").whereIn("shard", shards);
      if (this.mysql) read = read.forUpdate();
      const before = epochsByShard(await read);
      await trx("shard_owners")
        .whereIn("shard", shards)
        .update({ epoch: trx.raw("epoch + 1"), owner: nodeId, claimed_at_ms: Date.now() });
      const after = epochsByShard(
        await trx("shard_owners").select("shard", "epoch").whereIn("shard", shards),
      );
      // The claim holds only where nobody bumped between our read and our update.
      for (const [shard, epoch] of after)
        if (epoch === (before.get(shard) ?? -1) + 1) won.set(shard, epoch);
    });
    return won;
  }
}

function epochsByShard(rows: { shard: number; epoch: number }[]): Map<number, number> {
  return new Map(rows.map((row) => [Number(row.shard), Number(row.epoch)]));
}

/**
 * Refuses the surrounding transaction's writes unless `fence` is still the shard's epoch.
 * On MySQL the read takes a shared lock, so a takeover's update waits for this transaction
 * and every transaction after the takeover sees the new epoch. SQLite has one writer.
 */
export async function assertShardEpoch(
  trx: Knex.Transaction,
  fence: ShardFence,
  mysql: boolean,
): Promise<void> {
  let query = trx("shard_owners").select("epoch").where({ shard: fence.shard });
  if (mysql) query = query.forShare();
  const row: { epoch: number } | undefined = await query.first();
  if (row === undefined || Number(row.epoch) !== fence.epoch) {
    throw actorErrors.fenced(fence.shard, fence.epoch);
  }
}
