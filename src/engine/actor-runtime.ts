import { hostname } from "node:os";
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { ActorSystem, type ActorKind, type ErrorCodec } from "../../actors/index.js";
import type { ActorSettings } from "../config.js";
import { AppError, errorCodes, type ErrorCode } from "../domain/app-error.js";
import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { DatabaseTimerStore } from "./actor-timers.js";
import { calendarActorKind, type QuotaClient, type QuotaReservation } from "./calendar-actor.js";
import type { ChangeFeed } from "./change-feed.js";
import { probeActorKind } from "./probe-actor.js";
import { tenantActorKind } from "./tenant-actor.js";
import { DatabaseEpochStore } from "./shard-epochs.js";

/** What the actor runtime is started with. */
export interface ActorRuntimeDeps {
  settings: ActorSettings;
  db: Database;
  redis: Redis | undefined;
  clusterToken: string;
  feed: ChangeFeed;
  /** Actor kinds wired from outside the engine's core (the outbox worker). */
  extraKinds?: ActorKind<never, unknown>[];
}

/** Carries `AppError`s across node-to-node forwards with their code and details. */
const appErrorCodec: ErrorCodec = {
  encode(err) {
    if (!(err instanceof AppError)) return undefined;
    return { type: "app", code: err.code, message: err.message, details: err.details };
  },
  decode(error) {
    if (error.type !== "app" || !errorCodes.includes(error.code as ErrorCode)) return undefined;
    return new AppError(error.code as ErrorCode, error.message, error.details);
  },
};

/** Starts this node's actor runtime: one node alone, or a cluster member when Redis is set. */
export async function startActorRuntime(deps: ActorRuntimeDeps): Promise<ActorSystem> {
  const { settings, db, redis } = deps;
  const nodeId = settings.nodeId ?? `${hostname()}-${randomBytes(3).toString("hex")}`;
  if (redis) await waitForRedis(redis, 5_000);
  let system: ActorSystem | undefined;
  const quota = quotaThrough(() => system!);
  system = await ActorSystem.start({
    nodeId,
    kinds: [
      probeActorKind(db),
      calendarActorKind({ db, feed: deps.feed, quota }),
      tenantActorKind(db),
      ...((deps.extraKinds ?? []) as ActorKind[]),
    ],
    timerStore: new DatabaseTimerStore(db),
    epochStore: new DatabaseEpochStore(db),
    shards: settings.shards,
    log: moduleLogger("actors"),
    leaseTtlMs: settings.leaseTtlMs,
    idleMs: settings.idleMs,
    maxActors: settings.maxActors,
    clusterToken: deps.clusterToken,
    redisPrefix: `${settings.clusterName}:actors`,
    errorCodec: appErrorCodec,
    internal: {
      host: settings.internalHost,
      port: settings.internalPort,
      advertisedHost: settings.advertisedHost ?? settings.internalHost,
    },
    ...(redis ? { redis } : {}),
  });
  return system;
}

/** Quota asks from calendar actors to the tenant actor, wherever each runs. */
function quotaThrough(system: () => ActorSystem): QuotaClient {
  return {
    reserve: (tenantId, count) =>
      system().ask<QuotaReservation>(`tenant:${tenantId}`, { op: "reserve", count }),
    async settle(tenantId, reservationId, used) {
      await system().ask(`tenant:${tenantId}`, { op: "settle", reservationId, used });
    },
  };
}

async function waitForRedis(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === "ready") return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
