import { actorErrors, isActorError } from "./actor-error.js";
import {
  kindOfKey,
  type Actor,
  type ActorContext,
  type ActorKind,
  type ActorTimers,
  type TimerStore,
} from "./actor.js";
import { shardOf } from "./hashing.js";
import type { ActorLogger } from "./logger.js";
import { TimerQueue, type QueuedTimer } from "./timer-queue.js";

/** How the host learns which shards it may serve, and reports a refused write. */
export interface ShardGate {
  /** The epoch under which this node serves `shard`, or undefined when it does not. */
  epochOf(shard: number): number | undefined;
  /** An actor's write was refused by the epoch check: the shard has a newer owner. */
  onFenced(shard: number, epoch: number): void;
}

/** Settings of a host; `resolveHostOptions` fills in the defaults. */
export interface ActorHostOptions {
  nodeId: string;
  /** Number of shards S; fixed per deployment. */
  shards: number;
  kinds: readonly ActorKind<never, unknown>[];
  timerStore: TimerStore;
  gate: ShardGate;
  log: ActorLogger;
  /** An actor idle this long is passivated (default 5 minutes). */
  idleMs?: number;
  /** At most this many live actors; the least recently used idle ones go first (200,000). */
  maxActors?: number;
  /** A timer whose handler failed fires again after this long (default 5 seconds). */
  timerRetryMs?: number;
}

interface Envelope {
  message?: unknown;
  timer?: QueuedTimer;
  resolve?: (value: unknown) => void;
  reject?: (reason: unknown) => void;
}

/** Counters for a metrics endpoint. */
export interface HostMetrics {
  liveActors: number;
  mailboxDepth: number;
  messages: number;
  activations: number;
  activationFailures: number;
  passivations: number;
  timersArmed: number;
  timersFired: number;
}

type TurnState = "idle" | "running" | "passivating";

/** One live actor: its mailbox, its turn state and its context. */
class ActorCell implements ActorContext, ActorTimers {
  readonly key: string;
  readonly id: string;
  readonly shard: number;
  readonly epoch: number;
  readonly host: ActorHost;
  actor: Actor<unknown, unknown> | undefined = undefined;
  queue: Envelope[] = [];
  state: TurnState = "idle";
  stopping = false;
  lastUsed = Date.now();
  turnDone: Promise<void> | undefined = undefined;
  private logger: ActorLogger | undefined = undefined;

  constructor(host: ActorHost, key: string, shard: number, epoch: number) {
    this.host = host;
    this.key = key;
    this.id = key.slice(key.indexOf(":") + 1);
    this.shard = shard;
    this.epoch = epoch;
  }

  get nodeId(): string {
    return this.host.nodeId;
  }

  get timers(): ActorTimers {
    return this;
  }

  get log(): ActorLogger {
    this.logger ??= this.host.log.child({ actor: this.key });
    return this.logger;
  }

  schedule(timerId: string, dueAt: number, payload?: unknown): Promise<void> {
    return this.host.scheduleTimer(this, timerId, dueAt, payload, true);
  }

  track(timerId: string, dueAt: number, payload?: unknown): void {
    void this.host.scheduleTimer(this, timerId, dueAt, payload, false);
  }

  cancel(timerId: string): Promise<void> {
    return this.host.cancelTimer(this, timerId);
  }
}

/**
 * Runs the actors of the shards this node owns: activation on first message, one turn at a
 * time per actor, group turns, timers, passivation when idle or over the bound.
 */
export class ActorHost {
  readonly nodeId: string;
  readonly log: ActorLogger;
  private readonly shards: number;
  private readonly kinds = new Map<string, ActorKind<never, unknown>>();
  private readonly timerStore: TimerStore;
  private readonly gate: ShardGate;
  private readonly idleMs: number;
  private readonly maxActors: number;
  private readonly timerRetryMs: number;
  private readonly cells = new Map<string, ActorCell>();
  private readonly cellsByShard = new Map<number, Set<ActorCell>>();
  private readonly timers: TimerQueue;
  private readonly sweeper: NodeJS.Timeout;
  private readonly counters = {
    messages: 0,
    queued: 0,
    activations: 0,
    activationFailures: 0,
    passivations: 0,
    timersFired: 0,
  };

  constructor(options: ActorHostOptions) {
    this.nodeId = options.nodeId;
    this.log = options.log;
    this.shards = options.shards;
    this.timerStore = options.timerStore;
    this.gate = options.gate;
    this.idleMs = options.idleMs ?? 300_000;
    this.maxActors = options.maxActors ?? 200_000;
    this.timerRetryMs = options.timerRetryMs ?? 5_000;
    for (const kind of options.kinds) this.kinds.set(kind.kind, kind);
    this.timers = new TimerQueue((timer) => this.deliverTimer(timer));
    this.sweeper = setInterval(() => void this.passivateIdle(), Math.min(this.idleMs / 2, 30_000));
    this.sweeper.unref();
  }

  /** Sends a message to a local actor; rejects with `not_owner` when the shard is not served. */
  ask(key: string, message: unknown): Promise<unknown> {
    const cell = this.cellFor(key);
    if (cell instanceof Error) return Promise.reject(cell);
    return new Promise((resolve, reject) => this.enqueue(cell, { message, resolve, reject }));
  }

  /** Arms the stored timers of shards this node has just taken (shard → epoch). */
  async loadShardTimers(epochs: ReadonlyMap<number, number>): Promise<void> {
    const stored = await this.timerStore.loadShards([...epochs.keys()]);
    for (const timer of stored) {
      const epoch = epochs.get(timer.shard);
      if (epoch !== undefined) this.timers.add({ ...timer, epoch });
    }
  }

  /**
   * Stops serving a shard: lets running turns finish, answers queued messages with
   * `not_owner` (so callers go to the new owner), passivates the actors, disarms the timers.
   */
  async stopShard(shard: number): Promise<void> {
    this.timers.removeShard(shard);
    const cells = [...(this.cellsByShard.get(shard) ?? [])];
    for (const cell of cells) cell.stopping = true;
    await Promise.all(cells.map((cell) => this.retire(cell)));
    this.cellsByShard.delete(shard);
  }

  /** Stops every actor and timer (the node is leaving). */
  async stopAll(): Promise<void> {
    clearInterval(this.sweeper);
    const shards = [...this.cellsByShard.keys()];
    await Promise.all(shards.map((shard) => this.stopShard(shard)));
    this.timers.clear();
  }

  /** Counters for metrics. */
  metrics(): HostMetrics {
    return {
      liveActors: this.cells.size,
      mailboxDepth: this.counters.queued,
      messages: this.counters.messages,
      activations: this.counters.activations,
      activationFailures: this.counters.activationFailures,
      passivations: this.counters.passivations,
      timersArmed: this.timers.size,
      timersFired: this.counters.timersFired,
    };
  }

  /** Stores (when asked) and arms a timer of a live actor. */
  async scheduleTimer(
    cell: ActorCell,
    timerId: string,
    dueAt: number,
    payload: unknown,
    persist: boolean,
  ): Promise<void> {
    const timer = { key: cell.key, timerId, shard: cell.shard, dueAt, payload: payload ?? null };
    if (persist) await this.timerStore.save(timer);
    this.timers.add({ ...timer, epoch: cell.epoch });
  }

  /** Disarms and forgets a timer. */
  async cancelTimer(cell: ActorCell, timerId: string): Promise<void> {
    this.timers.remove(cell.key, timerId);
    await this.timerStore.remove(cell.key, timerId);
  }

  private cellFor(key: string): ActorCell | Error {
    const existing = this.cells.get(key);
    if (existing && !existing.stopping) return existing;

    const shard = shardOf(key, this.shards);
    const epoch = this.gate.epochOf(shard);
    if (epoch === undefined || existing?.stopping) return actorErrors.notOwner(shard);
    const kind = kindOfKey(key);
    if (kind === undefined || !this.kinds.has(kind)) return actorErrors.unknownKind(key);

    const cell = new ActorCell(this, key, shard, epoch);
    this.cells.set(key, cell);
    let group = this.cellsByShard.get(shard);
    if (!group) this.cellsByShard.set(shard, (group = new Set()));
    group.add(cell);
    if (this.cells.size > this.maxActors) void this.evictLeastRecentlyUsed();
    return cell;
  }

  private enqueue(cell: ActorCell, envelope: Envelope): void {
    cell.queue.push(envelope);
    this.counters.queued++;
    if (cell.state === "idle") cell.turnDone = this.drain(cell);
  }

  private async drain(cell: ActorCell): Promise<void> {
    cell.state = "running";
    try {
      while (cell.queue.length > 0 && !cell.stopping) {
        if (cell.actor === undefined && !(await this.activate(cell))) return;
        const batch = cell.queue;
        cell.queue = [];
        this.counters.queued -= batch.length;
        await this.runBatch(cell, batch);
      }
    } finally {
      cell.state = "idle";
      cell.lastUsed = Date.now();
    }
  }

  private async activate(cell: ActorCell): Promise<boolean> {
    const kind = this.kinds.get(kindOfKey(cell.key) ?? "")!;
    try {
      const actor = kind.create(cell) as Actor<unknown, unknown>;
      await actor.onActivate?.();
      cell.actor = actor;
      this.counters.activations++;
      return true;
    } catch (err) {
      this.counters.activationFailures++;
      cell.log.warn({ err }, "activation failed; waiting callers are told, next message retries");
      const failure = isActorError(err, "fenced")
        ? err
        : actorErrors.activationFailed(cell.key, err);
      if (isActorError(err, "fenced")) this.gate.onFenced(cell.shard, cell.epoch);
      const waiting = cell.queue;
      cell.queue = [];
      this.counters.queued -= waiting.length;
      for (const envelope of waiting) this.settleFailure(envelope, failure);
      return false;
    }
  }

  private async runBatch(cell: ActorCell, batch: Envelope[]): Promise<void> {
    const actor = cell.actor!;
    let i = 0;
    while (i < batch.length) {
      if (cell.stopping) {
        for (; i < batch.length; i++)
          this.settleFailure(batch[i]!, actorErrors.notOwner(cell.shard));
        return;
      }
      const envelope = batch[i]!;
      if (envelope.timer) {
        await this.fireTimer(cell, envelope.timer);
        i++;
      } else if (actor.onMessages) {
        let end = i;
        while (end < batch.length && !batch[end]!.timer) end++;
        await this.groupTurn(cell, actor, batch.slice(i, end));
        i = end;
      } else {
        await this.singleTurn(cell, actor, envelope);
        i++;
      }
    }
  }

  private async singleTurn(cell: ActorCell, actor: Actor, envelope: Envelope): Promise<void> {
    this.counters.messages++;
    try {
      let reply = actor.onMessage!(envelope.message);
      if (isThenable(reply)) reply = await reply;
      envelope.resolve!(reply);
    } catch (err) {
      envelope.reject!(this.noteFailure(cell, err));
    }
  }

  private async groupTurn(cell: ActorCell, actor: Actor, envelopes: Envelope[]): Promise<void> {
    this.counters.messages += envelopes.length;
    try {
      const outcomes = await actor.onMessages!(envelopes.map((envelope) => envelope.message));
      envelopes.forEach((envelope, index) => {
        const outcome = outcomes[index];
        if (outcome?.ok) envelope.resolve!(outcome.value);
        else envelope.reject!(this.noteFailure(cell, outcome ? outcome.error : missingOutcome()));
      });
    } catch (err) {
      const failure = this.noteFailure(cell, err);
      for (const envelope of envelopes) envelope.reject!(failure);
    }
  }

  /** A fenced write means another node owns the shard now: stop serving it. */
  private noteFailure(cell: ActorCell, err: unknown): unknown {
    if (isActorError(err, "fenced") && !cell.stopping) {
      cell.log.warn({ shard: cell.shard, epoch: cell.epoch }, "write fenced: shard has moved");
      this.gate.onFenced(cell.shard, cell.epoch);
    }
    return err;
  }

  private settleFailure(envelope: Envelope, failure: unknown): void {
    if (envelope.timer) this.retryTimer(envelope.timer);
    else envelope.reject!(failure);
  }

  private deliverTimer(timer: QueuedTimer): void {
    if (this.gate.epochOf(timer.shard) !== timer.epoch) return;
    const cell = this.cellFor(timer.key);
    if (cell instanceof Error) return;
    this.enqueue(cell, { timer });
  }

  private async fireTimer(cell: ActorCell, timer: QueuedTimer): Promise<void> {
    if (timer.epoch !== cell.epoch) return;
    this.counters.timersFired++;
    try {
      const fired = { timerId: timer.timerId, dueAt: timer.dueAt, payload: timer.payload };
      await cell.actor!.onTimer?.(fired);
      await this.timerStore.remove(timer.key, timer.timerId);
    } catch (err) {
      this.noteFailure(cell, err);
      cell.log.warn({ err, timerId: timer.timerId }, "timer failed; it fires again later");
      this.retryTimer(timer);
    }
  }

  private retryTimer(timer: QueuedTimer): void {
    this.timers.add({ ...timer, dueAt: Date.now() + this.timerRetryMs });
  }

  /** Waits for the cell's turn to end, fails what is queued, passivates, forgets it. */
  private async retire(cell: ActorCell): Promise<void> {
    while (cell.state !== "idle") await cell.turnDone;
    const waiting = cell.queue;
    cell.queue = [];
    this.counters.queued -= waiting.length;
    for (const envelope of waiting) {
      if (!envelope.timer) envelope.reject!(actorErrors.notOwner(cell.shard));
    }
    await this.passivate(cell);
  }

  private passivate(cell: ActorCell): Promise<void> {
    const done = this.runPassivation(cell);
    cell.turnDone = done;
    return done;
  }

  private async runPassivation(cell: ActorCell): Promise<void> {
    const actor = cell.actor;
    cell.actor = undefined;
    if (actor) {
      cell.state = "passivating";
      try {
        await actor.onPassivate?.();
      } catch (err) {
        cell.log.warn({ err }, "passivation failed");
      } finally {
        cell.state = "idle";
      }
      this.counters.passivations++;
    }
    if (cell.queue.length > 0 && !cell.stopping) {
      cell.turnDone = this.drain(cell);
      return;
    }
    this.cells.delete(cell.key);
    this.cellsByShard.get(cell.shard)?.delete(cell);
  }

  private async passivateIdle(): Promise<void> {
    const cutoff = Date.now() - this.idleMs;
    const idle = [...this.cells.values()].filter((cell) => isIdle(cell) && cell.lastUsed < cutoff);
    for (const cell of idle) await this.passivate(cell);
  }

  private async evictLeastRecentlyUsed(): Promise<void> {
    const excess = this.cells.size - this.maxActors;
    if (excess <= 0) return;
    const idle = [...this.cells.values()].filter(isIdle).sort((a, b) => a.lastUsed - b.lastUsed);
    const batch = idle.slice(0, Math.max(excess, Math.ceil(this.maxActors / 100)));
    for (const cell of batch) await this.passivate(cell);
  }
}

function isIdle(cell: ActorCell): boolean {
  return cell.state === "idle" && cell.queue.length === 0 && !cell.stopping;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null)?.then === "function";
}

function missingOutcome(): Error {
  return new Error("the actor's group turn returned fewer outcomes than messages");
}
