import { suite } from "uvu";
import * as assert from "uvu/assert";
import { shardOf } from "../../actors/index.js";
import { sleep } from "../support/actor-fakes.js";
import {
  clusterNameOf,
  clusterShards,
  startNode,
  probe,
  startCluster,
  stopCluster,
  viewOf,
  waitForStableCluster,
  type ClusterNode,
} from "../support/cluster.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { redisUrl, warnSkipped } from "../support/services.js";
import { mysqlConnection } from "../support/mysql.js";
import { PrivateRedis } from "../support/private-redis.js";
import { bookingBody, createOffer, slotAt } from "../support/booking-fixtures.js";
import { callApi, signUpTenant, type TestEngine } from "../support/engine.js";

const mysql = dialectsUnderTest().find((dialect) => dialect.name === "mysql");
const redis = redisUrl();
const leaseTtlMs = 2000;

interface Context {
  scratch: ScratchDatabase;
  nodes: ClusterNode[];
}

const cluster = suite<Context>("cluster: three engine processes, one Redis, one MySQL");

cluster.before.each(async (context) => {
  context.nodes = [];
  if (mysql) context.scratch = await mysql.create("cluster");
});

cluster.after.each(async (context) => {
  await stopCluster(context.nodes);
  await context.scratch?.drop();
});

async function start(context: Context, count = 3, redisAt = redis!) {
  context.nodes = await startCluster(count, {
    databaseUrl: context.scratch.target.dialect === "mysql" ? context.scratch.target.url : "",
    redisUrl: redisAt,
    leaseTtlMs,
  });
  return waitForStableCluster(context.nodes);
}

/** Keys of the self-test actor, one per shard owned by `nodeId`, up to `count`. */
function keysOwnedBy(owners: Map<number, string>, nodeId: string, count: number): string[] {
  const keys: string[] = [];
  for (let i = 0; keys.length < count && i < 10_000; i++) {
    const key = `k${i}`;
    if (owners.get(shardOf(`probe:${key}`, clusterShards)) === nodeId) keys.push(key);
  }
  return keys;
}

if (!mysql || !redis) {
  warnSkipped("cluster suites", "they need MySQL (DATABASE_URL) and Redis (REDIS_URL)");
} else {
  cluster(
    "every key has exactly one owner, and an ask from any node reaches it",
    async (context) => {
      const owners = await start(context);
      for (let i = 0; i < 30; i++) {
        const key = `any-${i}`;
        const answers = await Promise.all(
          context.nodes.map((node) => probe(node, { op: "ping", key })),
        );
        const answeredBy = new Set(answers.map((answer) => answer.body.nodeId));
        assert.is(answeredBy.size, 1, `key ${key} answered by ${[...answeredBy]}`);
        assert.is([...answeredBy][0], owners.get(shardOf(`probe:${key}`, clusterShards)));
        assert.equal(
          answers.map((answer) => answer.status),
          [200, 200, 200],
        );
      }
      const forwards = (await Promise.all(context.nodes.map(viewOf))).map(
        (v) => v.metrics.forwards,
      );
      assert.ok(
        forwards.every((count) => (count ?? 0) > 0),
        `forwards per node: ${forwards}`,
      );
    },
  );

  cluster(
    "kill -9 of an owner: its shards move within TTL + 2 s, nothing applies twice",
    async (context) => {
      const owners = await start(context);
      const [victim, caller] = context.nodes as [ClusterNode, ClusterNode, ClusterNode];
      const keys = keysOwnedBy(owners, victim.nodeId, 10);

      let stop = false;
      const acknowledged: string[] = [];
      const failures: string[] = [];
      const writer = (async () => {
        for (let n = 0; !stop; n++) {
          const key = keys[n % keys.length]!;
          const token = `kill-${n}`;
          const answer = await probe(caller, { op: "write", key, token });
          if (answer.status === 200) acknowledged.push(token);
          else if (answer.status !== 503 || answer.body.error.details?.retryable !== true) {
            failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
          }
        }
      })();

      await sleep(500);
      const killedAt = Date.now();
      victim.process.child.kill("SIGKILL");
      const survivors = context.nodes.filter((node) => node !== victim);
      let movedAfter = Number.POSITIVE_INFINITY;
      while (Date.now() - killedAt < leaseTtlMs + 6000) {
        const views = await Promise.all(survivors.map(viewOf));
        const owned = new Set(views.flatMap((view) => view.ownedShards));
        if (owned.size === clusterShards) {
          movedAfter = Date.now() - killedAt;
          break;
        }
        await sleep(100);
      }
      await sleep(500);
      stop = true;
      await writer;

      assert.ok(movedAfter <= leaseTtlMs + 2000, `shards moved after ${movedAfter} ms`);
      assert.equal(failures, [], "every answer is a success or a typed retryable error");
      const connection = await mysqlConnection(context.scratch);
      const [rows] = await connection.query(
        "select token from cluster_probes where token like 'kill-%'",
      );
      await connection.end();
      const written = new Set((rows as { token: string }[]).map((row) => row.token));
      for (const token of acknowledged)
        assert.ok(written.has(token), `${token} acknowledged, not stored`);
      assert.ok(acknowledged.length > 10, `only ${acknowledged.length} writes acknowledged`);
    },
  );

  cluster(
    "a paused owner past its lease is fenced: its write is refused, it stops its actors",
    async (context) => {
      const owners = await start(context);
      const [paused, other] = context.nodes as [ClusterNode, ClusterNode, ClusterNode];
      const [key] = keysOwnedBy(owners, paused.nodeId, 1);
      const shard = shardOf(`probe:${key}`, clusterShards);

      const slowWrite = probe(paused, { op: "write", key, token: "paused-write", delayMs: 800 });
      await sleep(150);
      paused.process.child.kill("SIGSTOP");
      const deadline = Date.now() + leaseTtlMs + 6000;
      let newOwner: string | undefined;
      while (!newOwner && Date.now() < deadline) {
        const view = await viewOf(other);
        const peer = await viewOf(context.nodes[2]!);
        newOwner = [view, peer].find((v) => v.ownedShards.includes(shard))?.nodeId;
        if (!newOwner) await sleep(100);
      }
      assert.ok(newOwner, "no survivor took the paused node's shard");
      paused.process.child.kill("SIGCONT");

      const answer = await slowWrite;
      assert.is(answer.status, 200, JSON.stringify(answer.body));
      assert.is.not(answer.body.nodeId, paused.nodeId, "the paused node's write went through");
      const connection = await mysqlConnection(context.scratch);
      const [rows] = await connection.query(
        "select node_id, epoch from cluster_probes where token = 'paused-write'",
      );
      const [[owner]] = (await connection.query(
        "select epoch, owner from shard_owners where shard = ?",
        [shard],
      )) as unknown as [{ epoch: number; owner: string }[]];
      await connection.end();
      assert.equal(
        (rows as { node_id: string; epoch: number }[]).map((row) => [
          row.node_id,
          Number(row.epoch),
        ]),
        [[newOwner, Number(owner!.epoch)]],
      );
      // Back from its pause, the node rejoins and may win the shard again, but only through a
      // new claim: its old actors were stopped and the epoch moved past the fenced one.
      const settled = await waitForStableCluster(context.nodes);
      const pausedView = await viewOf(paused);
      assert.ok(
        (pausedView.metrics.lost ?? 0) >= 1,
        "the paused node never noticed it lost shards",
      );
      const check = await mysqlConnection(context.scratch);
      const [[now]] = (await check.query("select epoch, owner from shard_owners where shard = ?", [
        shard,
      ])) as unknown as [{ epoch: number; owner: string }[]];
      await check.end();
      assert.is(now!.owner, settled.get(shard));
      assert.ok(Number(now!.epoch) >= Number(owner!.epoch));
    },
  );

  cluster(
    "Redis restarted: members rejoin, and no shard is ever served by two nodes",
    async (context) => {
      const privateRedis = await PrivateRedis.start();
      try {
        await start(context, 3, privateRedis.url);
        let sampling = true;
        const doubles: string[] = [];
        const sampler = (async () => {
          while (sampling) {
            const views = await Promise.all(context.nodes.map(viewOf));
            const seen = new Map<number, string>();
            for (const view of views) {
              for (const shard of view.ownedShards) {
                const other = seen.get(shard);
                if (other) doubles.push(`shard ${shard}: ${other} and ${view.nodeId}`);
                seen.set(shard, view.nodeId);
              }
            }
            await sleep(50);
          }
        })();

        await sleep(300);
        await privateRedis.stop();
        await sleep(1000);
        await privateRedis.restart();
        const owners = await waitForStableCluster(context.nodes, 20_000);
        sampling = false;
        await sampler;

        assert.equal(doubles, []);
        assert.is(owners.size, clusterShards);
        const views = await Promise.all(context.nodes.map(viewOf));
        assert.ok(views.every((view) => view.members.length === 3));
        const answer = await probe(context.nodes[0]!, {
          op: "write",
          key: "after-restart",
          token: "r-1",
        });
        assert.is(answer.status, 200);
      } finally {
        await stopCluster(context.nodes);
        await privateRedis.stop();
      }
    },
  );

  cluster(
    "200 concurrent bookings of one slot through three processes: exactly one wins",
    async (context) => {
      await start(context);
      const [first] = context.nodes as [ClusterNode];
      const tenant = await signUpTenant(
        { api: (m, p, r) => callApi(first.url, m, p, r) } as TestEngine,
        "cluster-co",
      );
      const engineOf = (node: ClusterNode) =>
        ({ api: (m: string, p: string, r?: object) => callApi(node.url, m, p, r) }) as TestEngine;
      const { calendarId, serviceId } = await createOffer(engineOf(first), tenant);
      const slot = slotAt("10:00");
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, n) =>
          callApi(context.nodes[n % 3]!.url, "POST", "/api/v1/bookings", {
            token: tenant.secretKey,
            body: bookingBody(calendarId, serviceId, slot, n),
          }),
        ),
      );
      const statuses = answers.map((answer) => answer.status);
      assert.is(
        statuses.filter((s) => s === 201).length,
        1,
        JSON.stringify(answers.find((a) => a.status >= 500)?.body),
      );
      assert.is(statuses.filter((s) => s === 409).length, 199);
      const connection = await mysqlConnection(context.scratch);
      const [rows] = await connection.query("select id from bookings where calendar_id = ?", [
        calendarId,
      ]);
      await connection.end();
      assert.is((rows as unknown[]).length, 1);
    },
  );

  cluster(
    "a joining node takes its shards by handoff without one failed request",
    async (context) => {
      await start(context, 2);
      const [first] = context.nodes as [ClusterNode];
      let stop = false;
      const failures: string[] = [];
      let answered = 0;
      const caller = (async () => {
        for (let n = 0; !stop; n++) {
          const answer = await probe(first, {
            op: "write",
            key: `join-${n % 40}`,
            token: `join-${n}`,
          });
          answered++;
          if (answer.status !== 200)
            failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
        }
      })();
      await sleep(300);
      const handoffsOf = async () =>
        (await Promise.all(context.nodes.slice(0, 2).map(viewOf)))
          .map((view) => view.metrics.handoffs ?? 0)
          .reduce((a, b) => a + b, 0);
      const handoffsBefore = await handoffsOf();
      const scratch = context.scratch.target as { url: string };
      const joined = await startNode(`${clusterNameOf(first)}-n9`, clusterNameOf(first), {
        databaseUrl: scratch.url,
        redisUrl: redis!,
        leaseTtlMs,
      });
      context.nodes.push(joined);
      const owners = await waitForStableCluster(context.nodes);
      await sleep(300);
      stop = true;
      await caller;

      assert.equal(failures, []);
      assert.ok(answered > 20, `only ${answered} requests made`);
      const taken = [...owners.values()].filter((owner) => owner === joined.nodeId).length;
      assert.ok(taken > 0, "the new node took no shard");
      const handedOff = (await handoffsOf()) - handoffsBefore;
      assert.is(handedOff, taken, "each shard the new node took was handed off to it");
    },
  );

  cluster("SIGTERM hands shards off without one failed request", async (context) => {
    const owners = await start(context);
    const [leaving, ...staying] = context.nodes as [ClusterNode, ClusterNode, ClusterNode];
    const keys = keysOwnedBy(owners, leaving.nodeId, 12);

    let stop = false;
    const failures: string[] = [];
    let answered = 0;
    const callers = staying.map(async (node, index) => {
      for (let n = 0; !stop; n++) {
        const key = keys[(n + index) % keys.length]!;
        const answer = await probe(node, { op: "write", key, token: `term-${index}-${n}` });
        answered++;
        if (answer.status !== 200) failures.push(`${answer.status} ${JSON.stringify(answer.body)}`);
      }
    });
    await sleep(400);
    const exit = await leaving.process.stop("SIGTERM");
    await sleep(600);
    stop = true;
    await Promise.all(callers);

    assert.is(exit, 0);
    assert.equal(failures, []);
    assert.ok(answered > 20, `only ${answered} requests made`);
    const views = await Promise.all(staying.map(viewOf));
    assert.is(new Set(views.flatMap((view) => view.ownedShards)).size, clusterShards);
  });
}

cluster.run();
