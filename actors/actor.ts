import type { ActorLogger } from "./logger.js";

/** The outcome of one message of a group turn. */
export type Outcome<Reply> = { ok: true; value: Reply } | { ok: false; error: unknown };

/** A timer as it fires: the id the actor gave it, when it was due, and its payload. */
export interface FiredTimer {
  timerId: string;
  dueAt: number;
  payload: unknown;
}

/** Timers of one actor; their due times are stored so another node can fire them. */
export interface ActorTimers {
  /** Stores a timer and arms it; an existing timer with the same id is replaced. */
  schedule(timerId: string, dueAt: number, payload?: unknown): Promise<void>;
  /** Arms a timer the actor has stored itself (in its own write transaction). */
  track(timerId: string, dueAt: number, payload?: unknown): void;
  /** Disarms a timer and removes it from the store. */
  cancel(timerId: string): Promise<void>;
}

/** What an actor knows about itself and may use. */
export interface ActorContext {
  /** `kind:id`. */
  readonly key: string;
  /** The part after the kind. */
  readonly id: string;
  readonly shard: number;
  /** The shard's fencing epoch when this activation began; writes must check it. */
  readonly epoch: number;
  /** This node's id. */
  readonly nodeId: string;
  readonly timers: ActorTimers;
  readonly log: ActorLogger;
}

/**
 * An actor's lifecycle hooks. The host calls them one at a time: `onActivate` before the first
 * message, then `onMessage` per message, or `onMessages` with every waiting message at once
 * (a group turn that must answer each), `onTimer` when a timer is due, `onPassivate` last.
 */
export interface Actor<Message = unknown, Reply = unknown> {
  onActivate?(): Promise<void> | void;
  onMessage?(message: Message): Promise<Reply> | Reply;
  onMessages?(batch: readonly Message[]): Promise<readonly Outcome<Reply>[]>;
  onTimer?(timer: FiredTimer): Promise<void> | void;
  onPassivate?(): Promise<void> | void;
}

/** One kind of actor: keys `kind:id` are handled by actors it creates. */
export interface ActorKind<Message = unknown, Reply = unknown> {
  kind: string;
  create(context: ActorContext): Actor<Message, Reply>;
}

/** A timer as stored. */
export interface StoredTimer {
  key: string;
  timerId: string;
  shard: number;
  dueAt: number;
  payload: unknown;
}

/** Durable timers, provided by the engine (a database table). */
export interface TimerStore {
  save(timer: StoredTimer): Promise<void>;
  remove(key: string, timerId: string): Promise<void>;
  /** Every stored timer of the given shards. */
  loadShards(shards: readonly number[]): Promise<StoredTimer[]>;
}

/** The kind part of an actor key, or undefined when the key has none. */
export function kindOfKey(key: string): string | undefined {
  const colon = key.indexOf(":");
  return colon > 0 ? key.slice(0, colon) : undefined;
}
