import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import type { AvailabilityChange, ChangeFeed } from "../../engine/change-feed.js";
import { moduleLogger } from "../../logger.js";

const log = moduleLogger("gateway:availability-relay");

/** Something that hands over availability changes: the relay below, or a test's fake. */
export interface AvailabilitySource {
  /** Calls `listener` with every change; returns what stops it. */
  subscribe(listener: (change: AvailabilityChange) => void): () => void;
}

/** A change as it travels between nodes, with the relay it came from. */
interface RelayedChange {
  origin: string;
  change: AvailabilityChange;
}

/**
 * The availability changes of every node. This node's own changes are handed over straight
 * from its change feed and published on the Redis channel `<cluster>:availability`; the
 * other nodes' changes come from that channel through a connection of its own in subscriber
 * mode, and this node's own messages coming back are skipped (they were handed over
 * already). Without Redis it hands over this node's changes only.
 *
 * Each calendar's changes are committed by one actor at a time and published in commit order
 * on one connection, which Redis keeps; a change that arrives after a later one of its
 * calendar (the calendar moved between nodes meanwhile) is for the watchers to drop.
 */
export class AvailabilityRelay implements AvailabilitySource {
  private readonly listeners = new Set<(change: AvailabilityChange) => void>();
  private readonly origin = randomUUID();
  private readonly subscriber: Redis | undefined;
  private readonly onLocal = (change: AvailabilityChange) => {
    this.hand(change);
    this.publish(change);
  };

  constructor(
    private readonly feed: ChangeFeed,
    private readonly redis: Redis | undefined,
    private readonly channel: string,
  ) {
    feed.on("availability", this.onLocal);
    if (redis) this.subscriber = this.subscribeRemote(redis);
  }

  subscribe(listener: (change: AvailabilityChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops listening to the feed and to Redis, and closes the subscriber connection. */
  close(): void {
    this.feed.off("availability", this.onLocal);
    this.listeners.clear();
    this.subscriber?.disconnect();
  }

  private hand(change: AvailabilityChange): void {
    for (const listener of this.listeners) listener(change);
  }

  private publish(change: AvailabilityChange): void {
    if (!this.redis) return;
    const message: RelayedChange = { origin: this.origin, change };
    // The engine's client fails fast while Redis is away: other nodes then miss this change
    // and their subscribers see a version gap, which tells them to fetch again.
    this.redis.publish(this.channel, JSON.stringify(message)).catch((err: unknown) => {
      log.warn({ err, calendarId: change.calendarId }, "could not relay an availability change");
    });
  }

  private subscribeRemote(redis: Redis): Redis {
    // Its own connection, as subscriber mode takes one. It queues the subscription until it
    // is connected (the engine's client fails fast instead) and subscribes again after
    // every reconnection.
    const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    // Outages are reported by the engine's own client; this one reconnects quietly.
    subscriber.on("error", () => undefined);
    subscriber.on("message", (_channel: string, payload: string) => {
      const message = parseRelayed(payload);
      if (message && message.origin !== this.origin) this.hand(message.change);
    });
    subscriber.subscribe(this.channel).catch((err: unknown) => {
      log.warn({ err }, "could not subscribe to availability changes of other nodes");
    });
    return subscriber;
  }
}

function parseRelayed(payload: string): RelayedChange | undefined {
  try {
    const message = JSON.parse(payload) as Partial<RelayedChange>;
    const change = message.change;
    if (typeof message.origin !== "string" || typeof change !== "object" || change === null) {
      return undefined;
    }
    if (typeof change.calendarId !== "string" || typeof change.version !== "number") {
      return undefined;
    }
    return { origin: message.origin, change };
  } catch {
    return undefined;
  }
}
