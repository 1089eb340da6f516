import type { ActorHost, ShardGate } from "./actor-host.js";
import { preferredOwner } from "./hashing.js";
import type { Leases } from "./leases.js";
import type { ActorLogger } from "./logger.js";
import type { MemberInfo, Membership } from "./membership.js";

/** Fencing epochs in the database, provided by the engine. */
export interface EpochStore {
  /**
   * For each shard: bump its epoch by a conditional update (only from the epoch just read)
   * and record this node as owner, in one committed transaction. Returns the new epoch of
   * every shard won; a shard another node bumped meanwhile is left out.
   */
  claim(shards: readonly number[], nodeId: string): Promise<Map<number, number>>;
}

/** Settings of placement. */
export interface PlacementOptions {
  self: MemberInfo;
  shards: number;
  membership: Membership;
  leases: Leases;
  epochs: EpochStore;
  log: ActorLogger;
  /** How often membership is refreshed and shards are rebalanced (ms). */
  tickMs: number;
}

interface OwnedShard {
  epoch: number;
  /** On this node's monotonic clock: serve no message after this without a renewal. */
  validUntil: number;
}

/** Counters for metrics. */
export interface PlacementMetrics {
  shardsOwned: number;
  members: number;
  acquired: number;
  handoffs: number;
  lost: number;
}

/**
 * Decides which shards this node serves. The preferred owner of a shard (rendezvous hash over
 * live members) takes its lease, then bumps its epoch in the database, and only then serves
 * it. A shard whose preferred owner changed is handed off: no new messages, running turns
 * finish, actors passivate, the lease is released.
 */
export class Placement implements ShardGate {
  readonly self: MemberInfo;
  private readonly options: PlacementOptions;
  private readonly owned = new Map<number, OwnedShard>();
  private readonly draining = new Set<number>();
  private memberList: MemberInfo[] = [];
  private memberIds: string[] = [];
  private host: ActorHost | undefined;
  private ticking: NodeJS.Timeout | undefined;
  private renewing: NodeJS.Timeout | undefined;
  private tickRunning: Promise<void> | undefined;
  private leaving = false;
  private readonly safetyMs: number;
  private readonly counters = { acquired: 0, handoffs: 0, lost: 0 };

  constructor(options: PlacementOptions) {
    this.options = options;
    this.self = options.self;
    this.safetyMs = Math.min(1000, options.leases.ttlMs / 5);
  }

  /** Joins, takes this node's first shards, and keeps rebalancing and renewing. */
  async start(host: ActorHost): Promise<void> {
    this.host = host;
    await this.tick();
    this.ticking = setInterval(() => void this.tick(), this.options.tickMs);
    this.ticking.unref();
    if (Number.isFinite(this.options.leases.ttlMs)) {
      this.renewing = setInterval(() => void this.renew(), this.options.leases.ttlMs / 3);
      this.renewing.unref();
    }
  }

  /** ShardGate: the epoch to serve under, while the lease is surely still held. */
  epochOf(shard: number): number | undefined {
    const owned = this.owned.get(shard);
    if (owned === undefined) return undefined;
    if (owned.validUntil < performance.now()) {
      void this.drop(shard, "lease deadline passed without renewal");
      return undefined;
    }
    return owned.epoch;
  }

  /** ShardGate: a write under `epoch` was refused, so another node owns the shard now. */
  onFenced(shard: number, epoch: number): void {
    if (this.owned.get(shard)?.epoch === epoch)
      void this.drop(shard, "write fenced by a newer epoch");
  }

  /** Live members, as last seen. */
  members(): readonly MemberInfo[] {
    return this.memberList;
  }

  /** The member a shard should be asked at, by rendezvous hash over live members. */
  preferredMember(shard: number): MemberInfo | undefined {
    const id = preferredOwner(shard, this.memberIds);
    return this.memberList.find((member) => member.nodeId === id);
  }

  /** The member with this id, if live. */
  member(nodeId: string): MemberInfo | undefined {
    return this.memberList.find((member) => member.nodeId === nodeId);
  }

  /** Shards served now (lease surely held), ascending. */
  ownedShards(): number[] {
    const now = performance.now();
    const served = [...this.owned].filter(([, owned]) => owned.validUntil >= now);
    return served.map(([shard]) => shard).sort((a, b) => a - b);
  }

  /** The epoch a served shard runs under. */
  ownedEpoch(shard: number): number | undefined {
    return this.owned.get(shard)?.epoch;
  }

  metrics(): PlacementMetrics {
    return { shardsOwned: this.owned.size, members: this.memberList.length, ...this.counters };
  }

  /**
   * Stops serving every shard at once: used when the connection to Redis drops, since the
   * leases may be gone (a restarted Redis forgets them) and another node may take them.
   */
  dropAll(reason: string): void {
    for (const shard of [...this.owned.keys()]) void this.drop(shard, reason);
  }

  /** Leaves the cluster: stops rebalancing, leaves membership, hands every shard off. */
  async leave(): Promise<void> {
    this.leaving = true;
    clearInterval(this.ticking);
    await this.tickRunning;
    await this.options.membership.leave(this.self.nodeId).catch((err: unknown) => {
      this.options.log.warn({ err }, "could not leave membership; it expires by itself");
    });
    await this.handOff([...this.owned.keys()]);
    clearInterval(this.renewing);
  }

  /** One round: heartbeat and read members, then take and give up shards to match. */
  private tick(): Promise<void> {
    if (this.tickRunning || this.leaving) return this.tickRunning ?? Promise.resolve();
    this.tickRunning = this.rebalance().finally(() => (this.tickRunning = undefined));
    return this.tickRunning;
  }

  private async rebalance(): Promise<void> {
    try {
      this.updateMembers(await this.options.membership.heartbeat(this.self));
    } catch (err) {
      this.options.log.warn({ err }, "membership heartbeat failed");
      return;
    }
    const wanted: number[] = [];
    const unwanted: number[] = [];
    for (let shard = 0; shard < this.options.shards; shard++) {
      const mine = preferredOwner(shard, this.memberIds) === this.self.nodeId;
      if (mine && !this.owned.has(shard) && !this.draining.has(shard)) wanted.push(shard);
      if (!mine && this.owned.has(shard)) unwanted.push(shard);
    }
    if (unwanted.length > 0) await this.handOff(unwanted);
    if (wanted.length > 0) await this.acquire(wanted);
  }

  private updateMembers(members: MemberInfo[]): void {
    const ids = members.map((member) => member.nodeId).sort();
    const before = this.memberIds.join(",");
    const after = ids.join(",");
    if (before === after) return;
    this.options.log.info(
      { from: this.memberIds, to: ids },
      `members: ${before || "none"} -> ${after}`,
    );
    this.memberList = [...members].sort((a, b) => a.nodeId.localeCompare(b.nodeId));
    this.memberIds = ids;
  }

  private async acquire(candidates: number[]): Promise<void> {
    const { leases, epochs, log } = this.options;
    const sentAt = performance.now();
    let taken: number[];
    let claimed: Map<number, number>;
    try {
      taken = await leases.acquire(candidates, this.self.nodeId);
      claimed = await epochs.claim(taken, this.self.nodeId);
    } catch (err) {
      log.warn({ err }, "could not take shards; next round tries again");
      return;
    }
    const refused = taken.filter((shard) => !claimed.has(shard));
    if (refused.length > 0) await leases.release(refused, this.self.nodeId).catch(() => {});

    for (const [shard, epoch] of claimed) {
      this.owned.set(shard, { epoch, validUntil: sentAt + leases.ttlMs - this.safetyMs });
      this.counters.acquired++;
      log.debug({ shard, epoch }, `shard ${shard}: unowned -> ${this.self.nodeId}`);
    }
    this.host?.loadShardTimers(claimed).catch((err: unknown) => {
      log.error({ err, shards: claimed.size }, "could not load the shards' timers");
    });
    if (claimed.size > 0) log.info({ shards: claimed.size }, "shards taken");
  }

  private async handOff(shards: number[]): Promise<void> {
    for (const shard of shards) {
      this.owned.delete(shard);
      this.draining.add(shard);
    }
    await Promise.all(shards.map((shard) => this.host?.stopShard(shard)));
    await this.options.leases.release(shards, this.self.nodeId).catch((err: unknown) => {
      this.options.log.warn({ err }, "could not release leases; they expire by themselves");
    });
    for (const shard of shards) {
      this.draining.delete(shard);
      this.counters.handoffs++;
    }
    if (shards.length > 0) {
      this.options.log.info({ shards: shards.length }, `shards: ${this.self.nodeId} -> handed off`);
    }
  }

  private async renew(): Promise<void> {
    const shards = [...this.owned.keys()];
    if (shards.length === 0) return;
    const sentAt = performance.now();
    let lost: number[];
    try {
      lost = await this.options.leases.renew(shards, this.self.nodeId);
    } catch (err) {
      this.options.log.warn({ err }, "lease renewal failed; shards expire unless it recovers");
      return;
    }
    const lostSet = new Set(lost);
    for (const shard of shards) {
      const owned = this.owned.get(shard);
      if (owned && !lostSet.has(shard)) {
        owned.validUntil = sentAt + this.options.leases.ttlMs - this.safetyMs;
      }
    }
    if (lost.length > 0) this.options.log.warn({ shards: lost }, "leases lost: shards dropped");
    for (const shard of lost) await this.drop(shard, "lease lost");
  }

  /** Stops serving a shard whose lease or epoch is no longer this node's. */
  private async drop(shard: number, reason: string): Promise<void> {
    if (!this.owned.delete(shard)) return;
    this.counters.lost++;
    this.options.log.debug({ shard, reason }, `shard ${shard}: ${this.self.nodeId} -> lost`);
    this.draining.add(shard);
    try {
      await this.host?.stopShard(shard);
    } finally {
      this.draining.delete(shard);
    }
  }
}
