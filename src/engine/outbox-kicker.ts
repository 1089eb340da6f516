import type { ActorSystem } from "../../actors/index.js";
import { isWebhookEventType } from "../domain/webhook-events.js";
import { moduleLogger } from "../logger.js";
import { outboxPartitionOf, outboxPartitions } from "../store/outbox-rows.js";
import type { ChangeFeed } from "./change-feed.js";

const log = moduleLogger("outbox");

/**
 * Wakes outbox workers: right after this node committed an event of theirs (so webhooks leave
 * within milliseconds), and every `sweepMs` for every partition (so events of a node that died
 * before its nudge, and the work of a worker whose shard moved, are picked up). Nudges are
 * cheap and idempotent; the worker wherever its shard lives does the work once.
 */
export class OutboxKicker {
  private readonly waiting = new Set<number>();
  private readonly sweep: NodeJS.Timeout;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly actors: ActorSystem,
    feed: ChangeFeed,
    sweepMs: number,
  ) {
    feed.on("event", (event) => {
      // Holds coming and going write nothing to the outbox: no worker needs waking for them.
      if (isWebhookEventType(event.type)) this.nudge(outboxPartitionOf(String(event.data["id"])));
    });
    this.sweep = setInterval(() => {
      for (let partition = 0; partition < outboxPartitions; partition++) this.nudge(partition);
    }, sweepMs);
    this.sweep.unref();
  }

  /** Asks partition's worker to look for work soon (nudges within a few ms are merged). */
  nudge(partition: number): void {
    if (this.stopped) return;
    this.waiting.add(partition);
    this.flushTimer ??= setTimeout(() => this.flush(), 5);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.sweep);
    if (this.flushTimer) clearTimeout(this.flushTimer);
  }

  private flush(): void {
    this.flushTimer = undefined;
    const partitions = [...this.waiting];
    this.waiting.clear();
    for (const partition of partitions) {
      this.actors
        .ask(`outbox:${partition}`, { op: "drain" }, { timeoutMs: 120_000 })
        .catch((error: unknown) => {
          if (!this.stopped)
            log.debug({ err: error, partition }, "outbox nudge failed; the sweep retries");
        });
    }
  }
}
