import type { AvailabilityChange, ChangedSlot } from "../../engine/change-feed.js";
import type { AvailabilitySource } from "./availability-relay.js";

/** One message of the `availability` subscription, times as ISO text. */
export interface AvailabilityPush {
  calendarId: string;
  serviceId: string | null;
  version: number;
  slots: { start: string; end: string; remaining: number }[];
  reset: boolean;
}

/** What one subscription watches. */
export interface AvailabilityFilter {
  calendarId: string;
  serviceId: string | undefined;
}

/** Messages a slow subscriber may fall behind by before it is told to fetch again. */
const maxQueued = 500;

/** The live subscriptions of one calendar, and the last version handed to them. */
interface CalendarWatch {
  streams: Set<AvailabilityStream>;
  lastVersion: number;
}

/**
 * Every live `availability` subscription of this node, fed by one listener on the changes
 * of every node (see `AvailabilityRelay`). Each calendar's changes are handed on in version
 * order: one older than a change already handed on is dropped (its slots are stale), and the
 * subscriber sees the gap in versions.
 */
export class AvailabilityWatchers {
  private readonly byCalendar = new Map<string, CalendarWatch>();
  private readonly stop: () => void;

  constructor(source: AvailabilitySource) {
    this.stop = source.subscribe((change) => this.deliver(change));
  }

  /** Starts buffering the changes `filter` selects; the caller checks access, then reads. */
  open(filter: AvailabilityFilter): AvailabilityStream {
    const stream = new AvailabilityStream(filter, () => this.forget(stream));
    const watch = this.byCalendar.get(filter.calendarId) ?? { streams: new Set(), lastVersion: 0 };
    watch.streams.add(stream);
    this.byCalendar.set(filter.calendarId, watch);
    return stream;
  }

  /** Stops listening and ends every stream. */
  close(): void {
    this.stop();
    for (const watch of this.byCalendar.values()) {
      for (const stream of watch.streams) void stream.return();
    }
    this.byCalendar.clear();
  }

  private deliver(change: AvailabilityChange): void {
    const watch = this.byCalendar.get(change.calendarId);
    if (!watch || change.version <= watch.lastVersion) return;
    watch.lastVersion = change.version;
    for (const stream of watch.streams) stream.offer(change);
  }

  private forget(stream: AvailabilityStream): void {
    const watch = this.byCalendar.get(stream.filter.calendarId);
    watch?.streams.delete(stream);
    if (watch?.streams.size === 0) this.byCalendar.delete(stream.filter.calendarId);
  }
}

/**
 * The pushes of one subscription as an async iterator. It starts with the calendar's current
 * availability (once `begin` has it) and then carries each later change of the caller's
 * tenant; changes at or below the starting version are already in the first message.
 */
export class AvailabilityStream implements AsyncIterableIterator<AvailabilityPush> {
  private readonly queued: AvailabilityPush[] = [];
  private readonly early: AvailabilityChange[] = [];
  private waiting: ((result: IteratorResult<AvailabilityPush>) => void) | undefined;
  private tenantId: string | undefined;
  private sinceVersion = 0;
  private missedEarly = false;
  private ended = false;

  constructor(
    readonly filter: AvailabilityFilter,
    private readonly onEnd: () => void,
  ) {}

  /** Sends the first message and lets through changes of `tenantId` after its version. */
  begin(tenantId: string, first: AvailabilityPush): void {
    this.tenantId = tenantId;
    this.sinceVersion = first.version;
    this.push(first);
    for (const change of this.early.splice(0)) this.offer(change);
    if (this.missedEarly) this.push(resetOf(this.filter, first.version));
  }

  /** Takes a change from the feed if this stream wants it. */
  offer(change: AvailabilityChange): void {
    if (this.ended) return;
    if (this.tenantId === undefined) {
      if (this.early.length < maxQueued) this.early.push(change);
      else this.missedEarly = true;
      return;
    }
    if (change.tenantId !== this.tenantId || change.version <= this.sinceVersion) return;
    for (const push of pushesOf(change, this.filter.serviceId)) this.push(push);
  }

  next(): Promise<IteratorResult<AvailabilityPush>> {
    const push = this.queued.shift();
    if (push) return Promise.resolve({ value: push, done: false });
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<AvailabilityPush>> {
    if (!this.ended) {
      this.ended = true;
      this.queued.length = 0;
      this.onEnd();
      this.waiting?.({ value: undefined, done: true });
      this.waiting = undefined;
    }
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<AvailabilityPush> {
    return this;
  }

  private push(push: AvailabilityPush): void {
    if (this.waiting) {
      this.waiting({ value: push, done: false });
      this.waiting = undefined;
      return;
    }
    this.queued.push(push);
    // Too far behind: replace the backlog with a reset, so the subscriber fetches again.
    if (this.queued.length > maxQueued) {
      this.queued.splice(0, this.queued.length, resetOf(this.filter, push.version));
    }
  }
}

/** The pushes a committed change makes for one subscription (one per service it touched). */
function pushesOf(change: AvailabilityChange, serviceId: string | undefined): AvailabilityPush[] {
  if (change.reset) return [resetOf({ calendarId: change.calendarId, serviceId }, change.version)];
  return change.services
    .filter((service) => serviceId === undefined || service.serviceId === serviceId)
    .map((service) => ({
      calendarId: change.calendarId,
      serviceId: service.serviceId,
      version: change.version,
      slots: service.slots.map(isoSlot),
      reset: false,
    }));
}

function resetOf(filter: AvailabilityFilter, version: number): AvailabilityPush {
  return {
    calendarId: filter.calendarId,
    serviceId: filter.serviceId ?? null,
    version,
    slots: [],
    reset: true,
  };
}

function isoSlot(slot: ChangedSlot) {
  return {
    start: new Date(slot.start).toISOString(),
    end: new Date(slot.end).toISOString(),
    remaining: slot.remaining,
  };
}
