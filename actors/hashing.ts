/** 32-bit FNV-1a of a string, finished with a murmur3-style mix for better spread. */
export function hash32(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The shard of an actor key: `hash(key) mod shards`. */
export function shardOf(key: string, shards: number): number {
  return hash32(key) % shards;
}

/**
 * The preferred owner of a shard by rendezvous (highest random weight) hashing: each member
 * scores the shard, the highest score wins. A member joining or leaving moves only the shards
 * it wins or held. The result only routes; a lease grants.
 */
export function preferredOwner(shard: number, members: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestScore = -1;
  for (const member of members) {
    const score = hash32(`${shard}/${member}`);
    if (score > bestScore || (score === bestScore && best !== undefined && member < best)) {
      best = member;
      bestScore = score;
    }
  }
  return best;
}
