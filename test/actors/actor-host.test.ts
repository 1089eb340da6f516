import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  ActorSystem,
  isActorError,
  type Actor,
  type ActorContext,
  type ActorKind,
  type Outcome,
} from "../../actors/index.js";
import { MemoryEpochStore, MemoryTimerStore, sleep } from "../support/actor-fakes.js";

type Probe = { log: string[]; activations: number; passivations: number; timers: string[] };
const probes = new Map<string, Probe>();
const probeOf = (key: string): Probe => {
  let probe = probes.get(key);
  if (!probe) probes.set(key, (probe = { log: [], activations: 0, passivations: 0, timers: [] }));
  return probe;
};

/** Appends messages with an await in the middle, to show that turns never interleave. */
class ListActor implements Actor<{ item: string; fail?: boolean; wait?: number }, number> {
  private readonly probe: Probe;
  constructor(private readonly context: ActorContext) {
    this.probe = probeOf(context.key);
  }
  async onActivate() {
    this.probe.activations++;
    // "flaky" actors fail their first activation, as when the database is briefly away.
    if (this.context.id.startsWith("flaky") && this.probe.activations === 1) {
      throw new Error("database away");
    }
  }
  async onMessage(message: { item: string; fail?: boolean; wait?: number }) {
    this.probe.log.push(`start ${message.item}`);
    await sleep(message.wait ?? 0);
    this.probe.log.push(`end ${message.item}`);
    if (message.fail) throw new Error(`refused ${message.item}`);
    return this.probe.log.length;
  }
  async onTimer(timer: { timerId: string; dueAt: number }) {
    this.probe.timers.push(`${timer.timerId}@${Date.now() >= timer.dueAt ? "due" : "EARLY"}`);
  }
  onPassivate() {
    this.probe.passivations++;
  }
}

/** Commits waiting messages together: each turn records its batch size. */
class BatchActor implements Actor<number, string> {
  constructor(private readonly context: ActorContext) {}
  async onMessages(batch: readonly number[]): Promise<Outcome<string>[]> {
    probeOf(this.context.key).log.push(`batch ${batch.length}`);
    await sleep(20);
    return batch.map((n) =>
      n % 7 === 0
        ? { ok: false, error: new Error(`seven divides ${n}`) }
        : { ok: true, value: `ok ${n}` },
    );
  }
}

const kinds: ActorKind<never, unknown>[] = [
  { kind: "list", create: (context) => new ListActor(context) },
  { kind: "batch", create: (context) => new BatchActor(context) },
];

async function startSystem(overrides: { idleMs?: number; maxActors?: number } = {}) {
  const timerStore = new MemoryTimerStore();
  const system = await ActorSystem.start({
    kinds,
    timerStore,
    epochStore: new MemoryEpochStore(),
    shards: 16,
    ...overrides,
  });
  return { system, timerStore };
}

const host = suite("actors: host");

host("answers messages in arrival order, one turn at a time", async () => {
  const { system } = await startSystem();
  const items = Array.from({ length: 50 }, (_, i) => `m${i}`);
  await Promise.all(items.map((item, i) => system.ask("list:order", { item, wait: i % 3 })));
  const expected = items.flatMap((item) => [`start ${item}`, `end ${item}`]);
  assert.equal(probeOf("list:order").log, expected);
  await system.stop();
});

host("a failing message fails only its own caller", async () => {
  const { system } = await startSystem();
  const results = await Promise.allSettled([
    system.ask("list:fail", { item: "a" }),
    system.ask("list:fail", { item: "b", fail: true }),
    system.ask("list:fail", { item: "c" }),
  ]);
  assert.equal(
    results.map((r) => r.status),
    ["fulfilled", "rejected", "fulfilled"],
  );
  assert.match(String((results[1] as PromiseRejectedResult).reason), /refused b/);
  await system.stop();
});

host("a group turn takes every waiting message and answers each", async () => {
  const { system } = await startSystem();
  const first = system.ask("batch:g", 1);
  await sleep(1);
  const rest = Array.from({ length: 30 }, (_, i) => system.ask("batch:g", i + 2));
  const settled = await Promise.allSettled([first, ...rest]);
  assert.equal(probeOf("batch:g").log, ["batch 1", "batch 30"]);
  settled.forEach((result, i) => {
    const n = i + 1;
    if (n % 7 === 0) assert.is(result.status, "rejected");
    else assert.equal(result, { status: "fulfilled", value: `ok ${n}` });
  });
  await system.stop();
});

host("a failed activation answers every waiting caller, and the next message retries", async () => {
  const { system } = await startSystem();
  const waiting = await Promise.allSettled([
    system.ask("list:flaky-1", { item: "x" }),
    system.ask("list:flaky-1", { item: "y" }),
  ]);
  for (const result of waiting) {
    assert.is(result.status, "rejected");
    const reason = (result as PromiseRejectedResult).reason;
    assert.ok(isActorError(reason, "actor_activation_failed"), String(reason));
    assert.match(reason.message, /database away/);
  }
  assert.is(await system.ask("list:flaky-1", { item: "z" }), 2);
  assert.is(probeOf("list:flaky-1").activations, 2);
  await system.stop();
});

host("an unknown kind is a non-retryable typed error", async () => {
  const { system } = await startSystem();
  const error = await system.ask("nothing:here", {}).catch((err: unknown) => err);
  assert.ok(isActorError(error, "unknown_actor_kind"));
  assert.is((error as { retryable: boolean }).retryable, false);
  await system.stop();
});

host("idle actors passivate, and come back on the next message", async () => {
  const { system } = await startSystem({ idleMs: 1000 });
  await system.ask("list:idle", { item: "1" });
  assert.is(system.metrics().liveActors, 1);
  await sleep(1700);
  assert.is(probeOf("list:idle").passivations, 1);
  assert.is(system.metrics().liveActors, 0);
  await system.ask("list:idle", { item: "2" });
  assert.is(probeOf("list:idle").activations, 2);
  await system.stop();
});

host("the number of live actors is bounded; the least recently used go first", async () => {
  const { system } = await startSystem({ maxActors: 100 });
  for (let i = 0; i < 150; i++) await system.ask(`list:bound-${i}`, { item: "x" });
  await sleep(10);
  const live = system.metrics().liveActors;
  assert.ok(live <= 100, `${live} live actors`);
  assert.is(probeOf("list:bound-0").passivations, 1);
  assert.is(probeOf("list:bound-149").passivations, 0);
  await system.stop();
});

host("stored timers fire once they are due, never before, and are then removed", async () => {
  const kind: ActorKind<never, unknown> = {
    kind: "timed",
    create: (context) => ({
      async onMessage() {
        await context.timers.schedule("soon", Date.now() + 150, { n: 1 });
        return "scheduled";
      },
      onTimer(timer) {
        probeOf(context.key).timers.push(
          `${timer.timerId}@${Date.now() >= timer.dueAt ? "due" : "EARLY"}`,
        );
      },
    }),
  };
  const timerStore = new MemoryTimerStore();
  const system = await ActorSystem.start({
    kinds: [kind],
    timerStore,
    epochStore: new MemoryEpochStore(),
    shards: 4,
  });
  await system.ask("timed:t", {});
  assert.is(timerStore.timers.size, 1);
  await sleep(80);
  assert.equal(probeOf("timed:t").timers, []);
  await sleep(200);
  assert.equal(probeOf("timed:t").timers, ["soon@due"]);
  assert.is(timerStore.timers.size, 0);
  await system.stop();
});

host.run();
