import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ActorSystem, isActorError } from "../../actors/index.js";
import { DatabaseTimerStore } from "../../src/engine/actor-timers.js";
import { knexOf } from "../../src/engine/knex-access.js";
import { probeActorKind } from "../../src/engine/probe-actor.js";
import { DatabaseEpochStore } from "../../src/engine/shard-epochs.js";
import { Database } from "../../src/store/database.js";
import { sleep } from "../support/actor-fakes.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";

const shards = 32;

function startNode(db: Database, nodeId: string, tickMs = 200) {
  return ActorSystem.start({
    nodeId,
    kinds: [probeActorKind(db)],
    timerStore: new DatabaseTimerStore(db),
    epochStore: new DatabaseEpochStore(db),
    shards,
    tickMs,
  });
}

for (const dialect of dialectsUnderTest()) {
  const runtime = suite<{ scratch: ScratchDatabase; db: Database }>(
    `engine: actor runtime on one node (${dialect.name})`,
  );

  runtime.before(async (context) => {
    context.scratch = await dialect.create("actor_runtime");
    context.db = await Database.open(context.scratch.target);
    await context.db.migrate();
  });

  runtime.after(async ({ db, scratch }) => {
    await db.close();
    await scratch.drop();
  });

  runtime(
    "a node claims every shard in the database, with a new epoch on each start",
    async ({ db }) => {
      const first = await startNode(db, "node-a");
      const rows = await knexOf(db)("shard_owners").select("shard", "epoch", "owner");
      assert.is(rows.length, shards);
      assert.ok(rows.every((row) => row.owner === "node-a" && Number(row.epoch) === 1));
      await first.stop();

      const second = await startNode(db, "node-b");
      const epochs = await knexOf(db)("shard_owners").distinct("epoch", "owner");
      assert.equal(
        epochs.map((row) => [Number(row.epoch), row.owner]),
        [[2, "node-b"]],
      );
      const ping = await second.ask<{ nodeId: string; epoch: number }>("probe:p", { op: "ping" });
      assert.equal([ping.nodeId, ping.epoch], ["node-b", 2]);
      await second.stop();
    },
  );

  runtime("a stored timer fires on the next node after a restart", async ({ db }) => {
    const before = await startNode(db, "node-before");
    await before.ask("probe:sleeper", { op: "timer", timerId: "wake", inMs: 1200 });
    await before.stop();
    const stored = await knexOf(db)("actor_timers").where({ actor_key: "probe:sleeper" });
    assert.is(stored.length, 1);

    const after = await startNode(db, "node-after");
    try {
      await sleep(400);
      const early = await knexOf(db)("cluster_probes").where({ token: "timer:probe:sleeper:wake" });
      assert.is(early.length, 0, "the timer fired before it was due");
      let fired: { node_id: string; created_at_ms: number }[] = [];
      for (let i = 0; i < 40 && fired.length === 0; i++) {
        await sleep(100);
        fired = await knexOf(db)("cluster_probes").where({ token: "timer:probe:sleeper:wake" });
      }
      assert.is(fired.length, 1);
      assert.is(fired[0]!.node_id, "node-after");
      assert.ok(Number(fired[0]!.created_at_ms) >= Number(stored[0].due_at_ms));
      const left = await knexOf(db)("actor_timers").where({ actor_key: "probe:sleeper" });
      assert.is(left.length, 0);
    } finally {
      await after.stop();
    }
  });

  runtime(
    "a write under a superseded epoch is refused; the node re-claims and writes once",
    async ({ db }) => {
      const node = await startNode(db, "node-f");
      try {
        const shard = node.shardOf("probe:fenced");
        const first = await node.ask<{ epoch: number }>("probe:fenced", {
          op: "write",
          token: "f-1",
        });
        // Another owner takes the shard behind this node's back.
        await knexOf(db)("shard_owners").where({ shard }).increment("epoch", 1);
        const stolen = Number((await knexOf(db)("shard_owners").where({ shard }).first()).epoch);

        const second = await node.ask<{ epoch: number; applied: boolean }>(
          "probe:fenced",
          { op: "write", token: "f-2" },
          { timeoutMs: 5000 },
        );
        assert.ok(second.applied);
        assert.ok(
          second.epoch > stolen,
          `written under epoch ${second.epoch}, stolen at ${stolen}`,
        );
        const rows = await knexOf(db)("cluster_probes")
          .whereIn("token", ["f-1", "f-2"])
          .orderBy("token");
        assert.equal(
          rows.map((row) => Number(row.epoch)),
          [first.epoch, second.epoch],
        );
        assert.ok(node.metrics().lost >= 1);
      } finally {
        await node.stop();
      }
    },
  );

  runtime("the same probe token is applied once", async ({ db }) => {
    const node = await startNode(db, "node-i");
    try {
      const once = await node.ask<{ applied: boolean }>("probe:idem", {
        op: "write",
        token: "same",
      });
      const twice = await node.ask<{ applied: boolean }>("probe:idem", {
        op: "write",
        token: "same",
      });
      assert.equal([once.applied, twice.applied], [true, false]);
    } finally {
      await node.stop();
    }
  });

  runtime("asks for a shard nobody serves fail with a retryable typed error", async ({ db }) => {
    const node = await startNode(db, "node-s");
    await node.stop();
    const error = await node
      .ask("probe:gone", { op: "ping" }, { timeoutMs: 300 })
      .catch((e: unknown) => e);
    assert.ok(isActorError(error, "shard_unavailable"), String(error));
  });

  runtime.run();
}
