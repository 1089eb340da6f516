/** Failures of the runtime itself, as opposed to errors an actor's handler throws. */
export const actorErrorCodes = [
  "actor_activation_failed",
  "not_owner",
  "shard_unavailable",
  "ask_timeout",
  "fenced",
  "actor_stopped",
  "unknown_actor_kind",
  "transport_failed",
] as const;

/** A closed set of runtime error codes. */
export type ActorErrorCode = (typeof actorErrorCodes)[number];

/** An error of the actor runtime; `retryable` says whether the same ask may be sent again. */
export class ActorError extends Error {
  readonly code: ActorErrorCode;
  readonly retryable: boolean;

  constructor(code: ActorErrorCode, message: string, retryable: boolean, options?: ErrorOptions) {
    super(message, options);
    this.name = "ActorError";
    this.code = code;
    this.retryable = retryable;
  }
}

/** Named factories: each message names the key or shard and what to do. */
export const actorErrors = {
  activationFailed(key: string, cause: unknown): ActorError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ActorError(
      "actor_activation_failed",
      `actor ${key} could not load its state (${reason}); the next message tries again`,
      true,
      { cause },
    );
  },
  notOwner(shard: number, owner?: string): ActorError {
    const hint = owner ? `; node ${owner} holds it` : "";
    return new ActorError("not_owner", `this node does not own shard ${shard}${hint}`, true);
  },
  shardUnavailable(shard: number): ActorError {
    return new ActorError(
      "shard_unavailable",
      `shard ${shard} has no owner right now (a node is taking it over); retry shortly`,
      true,
    );
  },
  askTimeout(key: string, timeoutMs: number): ActorError {
    return new ActorError(
      "ask_timeout",
      `no answer from actor ${key} within ${timeoutMs} ms; retry with the same message id`,
      true,
    );
  },
  fenced(shard: number, epoch: number): ActorError {
    return new ActorError(
      "fenced",
      `shard ${shard} moved to a newer owner than epoch ${epoch}; the write was refused`,
      true,
    );
  },
  stopped(key: string): ActorError {
    return new ActorError("actor_stopped", `actor ${key} stopped before it could answer`, true);
  },
  unknownKind(key: string): ActorError {
    return new ActorError(
      "unknown_actor_kind",
      `no actor kind is registered for key ${key}; keys look like kind:id`,
      false,
    );
  },
  transport(node: string, cause: unknown): ActorError {
    const reason = cause instanceof Error ? cause.message : String(cause);
    return new ActorError(
      "transport_failed",
      `node ${node} could not be reached (${reason})`,
      true,
      {
        cause,
      },
    );
  },
} as const;

/** True for an `ActorError` with one of the given codes (any code when none are given). */
export function isActorError(err: unknown, ...codes: ActorErrorCode[]): err is ActorError {
  return err instanceof ActorError && (codes.length === 0 || codes.includes(err.code));
}
