/** A timer waiting in memory. */
export interface QueuedTimer {
  key: string;
  timerId: string;
  shard: number;
  dueAt: number;
  payload: unknown;
  /** The shard epoch it was armed under; a timer from an older ownership is dropped. */
  epoch: number;
}

const maxDelayMs = 2 ** 31 - 1;

/**
 * Due timers in a binary min-heap with one Node timer armed for the earliest. Timers never
 * fire early: an entry is handed out only once `Date.now()` has reached its due time.
 */
export class TimerQueue {
  private heap: QueuedTimer[] = [];
  private readonly live = new Map<string, QueuedTimer>();
  private armed: NodeJS.Timeout | undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private readonly onDue: (timer: QueuedTimer) => void;

  constructor(onDue: (timer: QueuedTimer) => void) {
    this.onDue = onDue;
  }

  /** Number of armed timers. */
  get size(): number {
    return this.live.size;
  }

  /** Arms a timer, replacing one with the same key and id. */
  add(timer: QueuedTimer): void {
    this.live.set(liveKey(timer.key, timer.timerId), timer);
    this.push(timer);
    if (timer.dueAt < this.armedFor) this.arm();
  }

  /** Disarms a timer. */
  remove(key: string, timerId: string): void {
    this.live.delete(liveKey(key, timerId));
  }

  /** Disarms every timer of a shard. */
  removeShard(shard: number): void {
    for (const [id, timer] of this.live) if (timer.shard === shard) this.live.delete(id);
  }

  /** Disarms everything. */
  clear(): void {
    this.live.clear();
    this.heap = [];
    clearTimeout(this.armed);
    this.armed = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
  }

  private fireDue(): void {
    this.armed = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    while (this.heap.length > 0 && this.heap[0]!.dueAt <= now) {
      const timer = this.pop()!;
      const id = liveKey(timer.key, timer.timerId);
      if (this.live.get(id) !== timer) continue;
      this.live.delete(id);
      this.onDue(timer);
    }
    this.arm();
  }

  private arm(): void {
    const next = this.heap[0];
    if (!next) return;
    clearTimeout(this.armed);
    this.armedFor = next.dueAt;
    const delay = Math.min(Math.max(next.dueAt - Date.now(), 0), maxDelayMs);
    this.armed = setTimeout(() => this.fireDue(), delay);
    this.armed.unref();
  }

  private push(timer: QueuedTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.dueAt <= heap[i]!.dueAt) break;
      [heap[parent], heap[i]] = [heap[i]!, heap[parent]!];
      i = parent;
    }
  }

  private pop(): QueuedTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < heap.length && heap[left]!.dueAt < heap[smallest]!.dueAt) smallest = left;
      if (right < heap.length && heap[right]!.dueAt < heap[smallest]!.dueAt) smallest = right;
      if (smallest === i) break;
      [heap[smallest], heap[i]] = [heap[i]!, heap[smallest]!];
      i = smallest;
    }
    return top;
  }
}

function liveKey(key: string, timerId: string): string {
  return `${key}\u0000${timerId}`;
}
