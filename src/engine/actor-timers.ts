import type { Knex } from "@mikro-orm/knex";
import type { StoredTimer, TimerStore } from "../../actors/index.js";
import type { Database } from "../store/database.js";
import { knexOf } from "./knex-access.js";

/** Actor timers in `actor_timers`, loaded by the node that takes their shard. */
export class DatabaseTimerStore implements TimerStore {
  private readonly knex: Knex;

  constructor(db: Database) {
    this.knex = knexOf(db);
  }

  async save(timer: StoredTimer): Promise<void> {
    await saveTimer(this.knex, timer);
  }

  async remove(key: string, timerId: string): Promise<void> {
    await this.knex("actor_timers").where({ actor_key: key, timer_id: timerId }).delete();
  }

  async loadShards(shards: readonly number[]): Promise<StoredTimer[]> {
    const rows: TimerRow[] = [];
    for (let i = 0; i < shards.length; i += 500) {
      rows.push(...(await this.knex("actor_timers").whereIn("shard", shards.slice(i, i + 500))));
    }
    return rows.map((row) => ({
      key: row.actor_key,
      timerId: row.timer_id,
      shard: Number(row.shard),
      dueAt: Number(row.due_at_ms),
      payload: typeof row.payload === "string" ? JSON.parse(row.payload) : row.payload,
    }));
  }
}

/** Stores a timer, replacing one with the same id. */
export async function saveTimer(knex: Knex | Knex.Transaction, timer: StoredTimer): Promise<void> {
  await timerUpsert(knex, timer);
}

/** The statement that stores a timer, for an actor's transaction to run with its writes. */
export function timerUpsert(knex: Knex | Knex.Transaction, timer: StoredTimer): Knex.QueryBuilder {
  return knex("actor_timers")
    .insert({
      actor_key: timer.key,
      timer_id: timer.timerId,
      shard: timer.shard,
      due_at_ms: timer.dueAt,
      payload: JSON.stringify(timer.payload ?? null),
      created_at_ms: Date.now(),
    })
    .onConflict(["actor_key", "timer_id"])
    .merge(["shard", "due_at_ms", "payload"]);
}

interface TimerRow {
  actor_key: string;
  timer_id: string;
  shard: number;
  due_at_ms: number | string;
  payload: unknown;
}
