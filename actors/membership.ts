import type { Redis } from "ioredis";

/** A live node of the cluster. */
export interface MemberInfo {
  nodeId: string;
  /** Where other nodes forward asks: `http://host:port`. */
  address: string;
  /** When the node started, ms since the epoch (informational only). */
  startedAt: number;
}

/** Who is in the cluster. `heartbeat` both proves this node alive and reads the others. */
export interface Membership {
  heartbeat(self: MemberInfo): Promise<MemberInfo[]>;
  leave(nodeId: string): Promise<void>;
}

/** The membership of a single node: itself. */
export class LocalMembership implements Membership {
  async heartbeat(self: MemberInfo): Promise<MemberInfo[]> {
    return [self];
  }

  async leave(): Promise<void> {}
}

// Every expiry is computed from the Redis server's own clock (TIME), never a node's, so no
// two machines' wall clocks are ever compared.
const heartbeatScript = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expired = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)
if #expired > 0 then
  redis.call('ZREM', KEYS[1], unpack(expired))
  redis.call('HDEL', KEYS[2], unpack(expired))
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[3])
local live = redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')
local result = {}
for _, id in ipairs(live) do
  table.insert(result, redis.call('HGET', KEYS[2], id) or '')
end
return result
`;

/** Membership through Redis: a sorted set of nodes scored by their expiry on Redis's clock. */
export class RedisMembership implements Membership {
  private readonly redis: Redis;
  private readonly ttlMs: number;
  private readonly keys: [string, string];

  constructor(redis: Redis, ttlMs: number, prefix: string) {
    this.redis = redis;
    this.ttlMs = ttlMs;
    this.keys = [`${prefix}:members`, `${prefix}:member-info`];
  }

  async heartbeat(self: MemberInfo): Promise<MemberInfo[]> {
    const infos = (await this.redis.eval(
      heartbeatScript,
      2,
      ...this.keys,
      self.nodeId,
      this.ttlMs,
      JSON.stringify(self),
    )) as string[];
    return infos.filter((info) => info !== "").map((info) => JSON.parse(info) as MemberInfo);
  }

  async leave(nodeId: string): Promise<void> {
    await this.redis.multi().zrem(this.keys[0], nodeId).hdel(this.keys[1], nodeId).exec();
  }
}
