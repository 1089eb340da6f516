/**
 * Actor runtime figures: local throughput through one actor, local and forwarded ask round
 * trips, heap per idle actor with 100,000 live, and activation time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { Redis } from "ioredis";
import { ActorSystem, type ActorKind } from "../actors/index.js";
import { MemoryEpochStore, MemoryTimerStore } from "../test/support/actor-fakes.js";
import type { BenchResult } from "./measure.js";

const counter: ActorKind<never, unknown> = {
  kind: "counter",
  create: () => {
    let count = 0;
    return { onMessage: () => ++count };
  },
};

function single(overrides: { maxActors?: number } = {}) {
  return ActorSystem.start({
    kinds: [counter],
    timerStore: new MemoryTimerStore(),
    epochStore: new MemoryEpochStore(),
    shards: 1024,
    maxActors: 1_000_000,
    ...overrides,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function throughput(quick: boolean): Promise<BenchResult> {
  const system = await single();
  const total = quick ? 500_000 : 2_000_000;
  const window = 10_000;
  await system.ask("counter:hot", {});
  const started = performance.now();
  for (let sent = 0; sent < total; sent += window) {
    const batch = new Array<Promise<unknown>>(window);
    for (let i = 0; i < window; i++) batch[i] = system.ask("counter:hot", i);
    await Promise.all(batch);
  }
  const perSecond = total / ((performance.now() - started) / 1000);
  await system.stop();
  return result("actor-throughput", perSecond, "msg/s", "≥ 500,000 msg/s", perSecond >= 500_000);
}

async function localRoundTrip(quick: boolean): Promise<BenchResult> {
  const system = await single();
  const samples: number[] = [];
  for (let i = 0; i < (quick ? 20_000 : 100_000); i++) {
    const started = performance.now();
    await system.ask("counter:rt", i);
    samples.push(performance.now() - started);
  }
  await system.stop();
  const p50 =
    percentile(
      samples.sort((a, b) => a - b),
      50,
    ) * 1000;
  return result("local-ask-p50", p50, "µs", "informational", null);
}

async function forwardedRoundTrip(redisUrl: string, quick: boolean): Promise<BenchResult> {
  const folder = mkdtempSync(join(tmpdir(), "vbwd-bench-fwd-"));
  const redis = new Redis(redisUrl);
  const prefix = `bench-${process.pid}:actors`;
  const epochStore = new MemoryEpochStore();
  const start = (nodeId: string) =>
    ActorSystem.start({
      nodeId,
      kinds: [counter],
      timerStore: new MemoryTimerStore(),
      epochStore,
      shards: 64,
      redis,
      redisPrefix: prefix,
      clusterToken: "bench-cluster-token-0123456789abcdef",
    });
  const [a, b] = [await start("bench-a"), await start("bench-b")];
  try {
    await settle(a, b);
    const owned = new Set(b.view().ownedShards);
    let key = "counter:0";
    for (let i = 0; !owned.has(a.shardOf(key)); i++) key = `counter:${i}`;
    const samples: number[] = [];
    for (let i = 0; i < (quick ? 3_000 : 20_000); i++) {
      const started = performance.now();
      await a.ask(key, i);
      samples.push(performance.now() - started);
    }
    const p50 = percentile(
      samples.sort((x, y) => x - y),
      50,
    );
    return result("forwarded-ask", p50, "ms p50", "< 1 ms", p50 < 1);
  } finally {
    await a.stop();
    await b.stop();
    a.dispose();
    b.dispose();
    redis.disconnect();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function settle(a: ActorSystem, b: ActorSystem): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const owned = a.view().ownedShards.length + b.view().ownedShards.length;
    if (owned === 64 && a.view().members.length === 2 && b.view().members.length === 2) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the two bench nodes did not settle");
}

async function memoryAndActivation(quick: boolean): Promise<BenchResult[]> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const live = quick ? 20_000 : 100_000;
  const system = await single();
  gc();
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (let sent = 0; sent < live; sent += 1000) {
    const batch: Promise<unknown>[] = [];
    for (let i = sent; i < sent + 1000; i++) batch.push(system.ask(`counter:idle-${i}`, 0));
    await Promise.all(batch);
  }
  const activationUs = ((performance.now() - started) * 1000) / live;
  gc();
  const perActor = (process.memoryUsage().heapUsed - before) / live;
  const liveNow = system.metrics().liveActors;
  await system.stop();
  if (liveNow !== live) throw new Error(`expected ${live} live actors, found ${liveNow}`);
  return [
    result("actor-memory", perActor, "bytes/actor", "≤ 2,048 bytes", perActor <= 2048),
    result("activation-time", activationUs, "µs/actor", "informational", null),
  ];
}

function result(name: string, value: number, unit: string, target: string, met: boolean | null) {
  const rounded = value >= 100 ? Math.round(value) : Math.round(value * 1000) / 1000;
  return { name, value: rounded, unit, baseline: null, ratio: null, target, met };
}

/** Runs every actor benchmark; the forwarded one needs Redis. */
export async function benchActors(quick: boolean, redisUrl: string | undefined) {
  const results: BenchResult[] = [await throughput(quick), await localRoundTrip(quick)];
  if (redisUrl) results.push(await forwardedRoundTrip(redisUrl, quick));
  results.push(...(await memoryAndActivation(quick)));
  return results;
}
