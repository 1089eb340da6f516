import type { Knex } from "@mikro-orm/knex";
import type { Actor, ActorContext, ActorKind, FiredTimer } from "../../actors/index.js";
import type { Database } from "../store/database.js";
import { knexOf } from "./knex-access.js";
import { assertShardEpoch } from "./shard-epochs.js";

/** What the cluster's self-test actor understands. */
export type ProbeMessage =
  | { op: "ping" }
  | { op: "write"; token: string; delayMs?: number }
  | { op: "timer"; timerId: string; inMs: number };

/** A probe write as recorded. */
export interface ProbeWrite {
  token: string;
  applied: boolean;
  nodeId: string;
  epoch: number;
}

/**
 * The cluster's self-test actor (`probe:<anything>`): it answers where it runs, writes fenced
 * rows to `cluster_probes` once per token, and keeps stored timers. Operators use it through
 * the admin API to check placement, forwarding and fencing on a live cluster.
 */
export function probeActorKind(db: Database): ActorKind<ProbeMessage, unknown> {
  const knex = knexOf(db);
  const mysql = db.target.dialect === "mysql";
  return { kind: "probe", create: (context) => new ProbeActor(context, knex, mysql) };
}

class ProbeActor implements Actor<ProbeMessage, unknown> {
  private pings = 0;
  private readonly context: ActorContext;
  private readonly knex: Knex;
  private readonly mysql: boolean;

  constructor(context: ActorContext, knex: Knex, mysql: boolean) {
    this.context = context;
    this.knex = knex;
    this.mysql = mysql;
  }

  async onMessage(message: ProbeMessage): Promise<unknown> {
    switch (message.op) {
      case "ping":
        return this.ping();
      case "write":
        if (message.delayMs) await new Promise((resolve) => setTimeout(resolve, message.delayMs));
        return this.write(message.token);
      case "timer": {
        const dueAt = Date.now() + message.inMs;
        await this.context.timers.schedule(message.timerId, dueAt, { token: message.timerId });
        return { scheduled: true, dueAt };
      }
    }
  }

  async onTimer(timer: FiredTimer): Promise<void> {
    await this.write(`timer:${this.context.key}:${timer.timerId}`);
  }

  private ping() {
    const { nodeId, key, shard, epoch } = this.context;
    return { nodeId, key, shard, epoch, pings: ++this.pings };
  }

  private async write(token: string): Promise<ProbeWrite> {
    const { nodeId, key, shard, epoch } = this.context;
    return this.knex.transaction(async (trx) => {
      await assertShardEpoch(trx, { shard, epoch }, this.mysql);
      const existing = await trx("cluster_probes").where({ token }).first();
      if (existing) {
        return { token, applied: false, nodeId: existing.node_id, epoch: Number(existing.epoch) };
      }
      const row = { token, actor_key: key, node_id: nodeId, epoch, created_at_ms: Date.now() };
      await trx("cluster_probes").insert(row);
      return { token, applied: true, nodeId, epoch };
    });
  }
}
