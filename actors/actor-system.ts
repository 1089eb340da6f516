import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { actorErrors, isActorError } from "./actor-error.js";
import { ActorHost, type HostMetrics } from "./actor-host.js";
import type { ActorKind, TimerStore } from "./actor.js";
import { shardOf } from "./hashing.js";
import { LocalLeases, RedisLeases, type Leases } from "./leases.js";
import { silentLogger, type ActorLogger } from "./logger.js";
import { LocalMembership, RedisMembership, type MemberInfo } from "./membership.js";
import { Placement, type EpochStore, type PlacementMetrics } from "./placement.js";
import { HttpTransport, type ErrorCodec, type ForwardedAsk } from "./transport.js";

/** Everything an actor system needs; the engine provides the stores. */
export interface ActorSystemOptions {
  kinds: readonly ActorKind<never, unknown>[];
  timerStore: TimerStore;
  epochStore: EpochStore;
  /** Number of shards S, fixed per deployment (default 1024). */
  shards?: number;
  /** This node's id (default: random). */
  nodeId?: string;
  log?: ActorLogger;
  /** Redis for membership and leases; without it the node is a cluster of one. */
  redis?: Redis;
  /** Prefix of every Redis key (default `vbwd:actors`). */
  redisPrefix?: string;
  /** Where forwarded asks are served (cluster only). Port 0 picks one. */
  internal?: { host: string; port: number; advertisedHost?: string };
  /** Shared by the cluster's nodes to authenticate forwards (cluster only). */
  clusterToken?: string;
  errorCodec?: ErrorCodec;
  /** Lease and membership expiry (default 5,000 ms); renewals run at a third of it. */
  leaseTtlMs?: number;
  /** Rebalancing period (default 500 ms). */
  tickMs?: number;
  /** Default deadline of a routed ask (default 5,000 ms). */
  askTimeoutMs?: number;
  idleMs?: number;
  maxActors?: number;
}

/** Options of one ask. */
export interface AskOptions {
  /** Give up after this long with a typed error (forwarded asks always have a deadline). */
  timeoutMs?: number;
  /** Carried across retries and forwards so the owner applies the message once. */
  messageId?: string;
}

/** What this node sees of the cluster. */
export interface ClusterView {
  nodeId: string;
  address: string;
  members: readonly MemberInfo[];
  shards: number;
  ownedShards: number[];
}

/** Counters for a metrics endpoint. */
export interface SystemMetrics extends HostMetrics, PlacementMetrics {
  asks: number;
  forwards: number;
  forwardedIn: number;
  retries: number;
}

const recentLimit = 50_000;

/**
 * The actor runtime of one node: a host for the shards it owns, placement through Redis (or
 * alone), and `ask`, which reaches a key's owner wherever it runs.
 */
export class ActorSystem {
  readonly nodeId: string;
  private readonly options: ActorSystemOptions;
  private readonly shards: number;
  private readonly askTimeoutMs: number;
  private readonly host: ActorHost;
  private readonly placement: Placement;
  private readonly transport: HttpTransport | undefined;
  private readonly leases: Leases;
  private readonly recentForwards = new Map<string, Promise<unknown>>();
  private readonly counters = { asks: 0, forwards: 0, forwardedIn: 0, retries: 0 };
  private stopped: Promise<void> | undefined;

  private constructor(
    options: ActorSystemOptions,
    placement: Placement,
    leases: Leases,
    transport?: HttpTransport,
  ) {
    this.options = options;
    this.leases = leases;
    this.nodeId = placement.self.nodeId;
    this.shards = options.shards ?? 1024;
    this.askTimeoutMs = options.askTimeoutMs ?? 5_000;
    this.placement = placement;
    this.transport = transport;
    const log = options.log ?? silentLogger;
    this.host = new ActorHost({
      nodeId: this.nodeId,
      shards: this.shards,
      kinds: options.kinds,
      timerStore: options.timerStore,
      gate: placement,
      log,
      ...(options.idleMs === undefined ? {} : { idleMs: options.idleMs }),
      ...(options.maxActors === undefined ? {} : { maxActors: options.maxActors }),
    });
  }

  /** Starts serving forwards (in a cluster), joins, and takes this node's shards. */
  static async start(options: ActorSystemOptions): Promise<ActorSystem> {
    const nodeId = options.nodeId ?? `node-${randomUUID().slice(0, 8)}`;
    const log = options.log ?? silentLogger;
    const shards = options.shards ?? 1024;
    const ttl = options.leaseTtlMs ?? 5_000;
    const prefix = options.redisPrefix ?? "vbwd:actors";

    let transport: HttpTransport | undefined;
    let address = "local";
    if (options.redis) {
      const internal = options.internal ?? { host: "127.0.0.1", port: 0 };
      if (!options.clusterToken) throw new Error("a cluster needs clusterToken for forwards");
      transport = new HttpTransport(options.clusterToken, options.errorCodec);
      let system: ActorSystem | undefined;
      const port = await transport.listen(internal.host, internal.port, (ask) =>
        system ? system.acceptForward(ask) : Promise.reject(actorErrors.notOwner(-1)),
      );
      address = `http://${internal.advertisedHost ?? internal.host}:${port}`;
      const leases = new RedisLeases(options.redis, ttl, prefix);
      const placement = new Placement({
        self: { nodeId, address, startedAt: Date.now() },
        shards,
        membership: new RedisMembership(options.redis, ttl, prefix),
        leases,
        epochs: options.epochStore,
        log,
        tickMs: options.tickMs ?? 500,
      });
      system = new ActorSystem(options, placement, leases, transport);
      options.redis.on("close", () => {
        if (placement.ownedShards().length === 0) return;
        log.warn(
          { node: nodeId },
          "redis connection lost: serving no shard until leases are retaken",
        );
        placement.dropAll("redis connection lost");
      });
      await placement.start(system.host);
      return system;
    }

    const leases = new LocalLeases();
    const placement = new Placement({
      self: { nodeId, address, startedAt: Date.now() },
      shards,
      membership: new LocalMembership(),
      leases,
      epochs: options.epochStore,
      log,
      tickMs: options.tickMs ?? 5_000,
    });
    const system = new ActorSystem(options, placement, leases);
    await placement.start(system.host);
    return system;
  }

  /**
   * Asks the actor `key` and resolves with its reply. Reaches the owner wherever it runs: a
   * `not_owner` answer or an unreachable node refreshes the route and retries, with backoff,
   * until the deadline; then a retryable `shard_unavailable` error.
   */
  async ask<Reply = unknown>(
    key: string,
    message: unknown,
    options: AskOptions = {},
  ): Promise<Reply> {
    this.counters.asks++;
    const shard = shardOf(key, this.shards);
    if (this.placement.epochOf(shard) !== undefined && options.timeoutMs === undefined) {
      try {
        return (await this.host.ask(key, message)) as Reply;
      } catch (err) {
        if (!isActorError(err, "not_owner")) throw err;
      }
    }
    return (await this.route(key, shard, message, options)) as Reply;
  }

  /** What this node sees: members, and the shards it serves. */
  view(): ClusterView {
    return {
      nodeId: this.nodeId,
      address: this.placement.self.address,
      members: this.placement.members(),
      shards: this.shards,
      ownedShards: this.placement.ownedShards(),
    };
  }

  /** The epoch this node serves a shard under, if it does. */
  epochOf(shard: number): number | undefined {
    return this.placement.ownedEpoch(shard);
  }

  /** The shard of a key. */
  shardOf(key: string): number {
    return shardOf(key, this.shards);
  }

  metrics(): SystemMetrics {
    return { ...this.host.metrics(), ...this.placement.metrics(), ...this.counters };
  }

  /**
   * Leaves the cluster gracefully: hands every shard off, then stops serving forwards. Asks
   * made afterwards are forwarded to the new owners until `dispose`.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      await this.placement.leave();
      await this.host.stopAll();
      await this.transport?.stopServing();
    })();
    return this.stopped;
  }

  /** Frees the connections to other nodes; the system cannot ask anymore. */
  dispose(): void {
    this.transport?.close();
  }

  private async route(key: string, shard: number, message: unknown, options: AskOptions) {
    const timeoutMs = options.timeoutMs ?? this.askTimeoutMs;
    const deadline = performance.now() + timeoutMs;
    const messageId = options.messageId ?? randomUUID();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt(key, shard, message, messageId, deadline, attempt);
      } catch (err) {
        if (!isActorError(err, "not_owner", "transport_failed", "fenced")) throw err;
        const wait = Math.min(5 * 2 ** attempt, 250);
        if (performance.now() + wait >= deadline) throw actorErrors.shardUnavailable(shard);
        this.counters.retries++;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  private async attempt(
    key: string,
    shard: number,
    message: unknown,
    messageId: string,
    deadline: number,
    attempt: number,
  ): Promise<unknown> {
    const remaining = Math.max(1, Math.round(deadline - performance.now()));
    if (this.placement.epochOf(shard) !== undefined) {
      return this.localOnce(key, message, messageId, remaining);
    }
    const owner = await this.ownerOf(shard, attempt);
    if (!owner || owner.nodeId === this.nodeId || !this.transport) {
      throw actorErrors.notOwner(shard);
    }
    this.counters.forwards++;
    return this.transport.send(owner.nodeId, owner.address, {
      key,
      messageId,
      message,
      timeoutMs: remaining,
    });
  }

  /** First the rendezvous choice; after a miss, whoever holds the lease. */
  private async ownerOf(shard: number, attempt: number): Promise<MemberInfo | undefined> {
    if (attempt === 0) return this.placement.preferredMember(shard);
    const holder = await this.leases.holder(shard).catch(() => undefined);
    return (holder && this.placement.member(holder)) || this.placement.preferredMember(shard);
  }

  private acceptForward(ask: ForwardedAsk): Promise<unknown> {
    this.counters.forwardedIn++;
    const shard = shardOf(ask.key, this.shards);
    if (this.placement.epochOf(shard) === undefined) {
      return Promise.reject(actorErrors.notOwner(shard));
    }
    return this.localOnce(ask.key, ask.message, ask.messageId, ask.timeoutMs);
  }

  /** A local ask applied once per message id, with a deadline. */
  private localOnce(key: string, message: unknown, messageId: string, timeoutMs: number) {
    const known = this.recentForwards.get(messageId);
    if (known) return withDeadline(known, key, timeoutMs);

    const reply = this.host.ask(key, message);
    reply.catch(() => this.recentForwards.delete(messageId));
    this.recentForwards.set(messageId, reply);
    if (this.recentForwards.size > recentLimit) {
      const oldest = this.recentForwards.keys().next().value;
      if (oldest !== undefined) this.recentForwards.delete(oldest);
    }
    return withDeadline(reply, key, timeoutMs);
  }
}

function withDeadline<T>(promise: Promise<T>, key: string, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(actorErrors.askTimeout(key, timeoutMs)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
