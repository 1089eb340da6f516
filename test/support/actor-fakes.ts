import type { EpochStore, StoredTimer, TimerStore } from "../../actors/index.js";

/** Timers kept in a map, for unit tests of the runtime alone. */
export class MemoryTimerStore implements TimerStore {
  readonly timers = new Map<string, StoredTimer>();

  async save(timer: StoredTimer): Promise<void> {
    this.timers.set(`${timer.key}/${timer.timerId}`, timer);
  }

  async remove(key: string, timerId: string): Promise<void> {
    this.timers.delete(`${key}/${timerId}`);
  }

  async loadShards(shards: readonly number[]): Promise<StoredTimer[]> {
    return [...this.timers.values()].filter((timer) => shards.includes(timer.shard));
  }
}

/** Epochs kept in a map, for unit tests of the runtime alone. */
export class MemoryEpochStore implements EpochStore {
  readonly epochs = new Map<number, number>();

  async claim(shards: readonly number[]): Promise<Map<number, number>> {
    const won = new Map<number, number>();
    for (const shard of shards) {
      const next = (this.epochs.get(shard) ?? 0) + 1;
      this.epochs.set(shard, next);
      won.set(shard, next);
    }
    return won;
  }
}

/** Resolves after `ms`. */
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
