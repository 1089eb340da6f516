import type { Redis } from "ioredis";

/** Time-limited claims on shards; a node serves a shard only while it holds its lease. */
export interface Leases {
  readonly ttlMs: number;
  /** Tries to take each shard; returns those taken. */
  acquire(shards: readonly number[], nodeId: string): Promise<number[]>;
  /** Extends the leases still held; returns those that were not (lost). */
  renew(shards: readonly number[], nodeId: string): Promise<number[]>;
  /** Gives leases up, only where this node still holds them. */
  release(shards: readonly number[], nodeId: string): Promise<void>;
  /** The node holding a shard's lease, if any. */
  holder(shard: number): Promise<string | undefined>;
}

/** Leases of a single node: always granted. */
export class LocalLeases implements Leases {
  readonly ttlMs = Number.POSITIVE_INFINITY;

  async acquire(shards: readonly number[]): Promise<number[]> {
    return [...shards];
  }

  async renew(): Promise<number[]> {
    return [];
  }

  async release(): Promise<void> {}

  async holder(): Promise<string | undefined> {
    return undefined;
  }
}

const extendScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`;

const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

/**
 * One Redis key per shard holding the owner's node id with an expiry: taken with SET NX PX,
 * extended by compare-and-extend, released by compare-and-delete. Redis alone measures the
 * expiry; the holder keeps its own, shorter, deadline on its monotonic clock.
 */
export class RedisLeases implements Leases {
  readonly ttlMs: number;
  private readonly redis: Redis;
  private readonly prefix: string;

  constructor(redis: Redis, ttlMs: number, prefix: string) {
    this.redis = redis;
    this.ttlMs = ttlMs;
    this.prefix = prefix;
  }

  async acquire(shards: readonly number[], nodeId: string): Promise<number[]> {
    if (shards.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const shard of shards) pipeline.set(this.key(shard), nodeId, "PX", this.ttlMs, "NX");
    const results = (await pipeline.exec()) ?? [];
    return shards.filter((_, i) => results[i]?.[1] === "OK");
  }

  async renew(shards: readonly number[], nodeId: string): Promise<number[]> {
    if (shards.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const shard of shards) pipeline.eval(extendScript, 1, this.key(shard), nodeId, this.ttlMs);
    const results = (await pipeline.exec()) ?? [];
    return shards.filter((_, i) => results[i]?.[0] !== null || results[i]?.[1] !== 1);
  }

  async release(shards: readonly number[], nodeId: string): Promise<void> {
    if (shards.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const shard of shards) pipeline.eval(releaseScript, 1, this.key(shard), nodeId);
    await pipeline.exec();
  }

  async holder(shard: number): Promise<string | undefined> {
    return (await this.redis.get(this.key(shard))) ?? undefined;
  }

  private key(shard: number): string {
    return `${this.prefix}:lease:${shard}`;
  }
}
