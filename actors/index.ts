/**
 * The generic actor runtime: actors with mailboxes and lifecycle hooks, a host per node, and
 * shards placed across nodes through Redis leases fenced by epochs in the database. It knows
 * nothing about bookings; the engine supplies actor kinds and the stores.
 */
export { ActorError, actorErrors, isActorError, type ActorErrorCode } from "./actor-error.js";
export type { HostMetrics, ShardGate } from "./actor-host.js";
export {
  ActorSystem,
  type ActorSystemOptions,
  type AskOptions,
  type ClusterView,
  type SystemMetrics,
} from "./actor-system.js";
export {
  kindOfKey,
  type Actor,
  type ActorContext,
  type ActorKind,
  type ActorTimers,
  type FiredTimer,
  type Outcome,
  type StoredTimer,
  type TimerStore,
} from "./actor.js";
export { hash32, preferredOwner, shardOf } from "./hashing.js";
export type { ActorLogger } from "./logger.js";
export type { MemberInfo } from "./membership.js";
export type { EpochStore } from "./placement.js";
export type { ErrorCodec, SerializedError } from "./transport.js";
