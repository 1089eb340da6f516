import type { Redis } from "ioredis";
import type { Next } from "koa";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";
import type { EngineServices } from "../../commands/command.js";
import { identifyPrincipal, resolveCallerTenant } from "../../commands/identity.js";
import { AppError } from "../../domain/app-error.js";
import { isTenantPrincipal } from "../../domain/principal.js";
import { moduleLogger } from "../../logger.js";
import type { SaasPlan } from "../../store/entities/index.js";
import type { HttpContext } from "./http-state.js";
import { credentialOf } from "./request-identity.js";

const log = moduleLogger("gateway:rate-limit");

/** How many requests a minute each kind of caller may make. */
export interface RateLimitPolicy {
  /** A tenant, over all its credentials and protocols (default: the plan's `rateLimitPerMinute`). */
  tenantPerMinute(plan: SaasPlan): number;
  /**
   * Each credential of a tenant (API key, agent key, staff user) as a share of the tenant's
   * figure, rounded up (default 0.5): one busy key cannot use up what the others need.
   */
  keyShare: number;
  /** `POST /api/v1/signup` per client address (default 50). */
  signupPerMinute: number;
  /** `POST /api/v1/auth/login` per client address (default 20). */
  loginPerMinute: number;
  /** Requests whose credential identifies no one, per client address (default 100). */
  unidentifiedPerMinute: number;
  /** Prefix of the counters' keys (default: `CLUSTER_NAME` and `:rate`). */
  keyPrefix?: string;
}

/** The limits of a deployment: the plan's per-minute figure, and per-address guards. */
export const defaultRateLimitPolicy: RateLimitPolicy = {
  tenantPerMinute: (plan) => plan.rateLimitPerMinute,
  keyShare: 0.5,
  signupPerMinute: 50,
  loginPerMinute: 20,
  unidentifiedPerMinute: 100,
};

let policy: RateLimitPolicy = defaultRateLimitPolicy;

/**
 * Changes the policy that apps created from now on use, and returns what undoes it. The
 * configuration has no knob for limits; tests use this to make them tiny or out of the way.
 */
export function useRateLimitPolicy(changes: Partial<RateLimitPolicy>): () => void {
  const previous = policy;
  policy = { ...policy, ...changes };
  return () => {
    policy = previous;
  };
}

/** Every limit of a policy multiplied by `scale` (`RATE_LIMIT_SCALE`), at least 1 a minute. */
function scaled(base: RateLimitPolicy, scale: number): RateLimitPolicy {
  if (scale === 1) return base;
  const times = (limit: number) => Math.max(1, Math.round(limit * scale));
  return {
    ...base,
    tenantPerMinute: (plan) => times(base.tenantPerMinute(plan)),
    signupPerMinute: times(base.signupPerMinute),
    loginPerMinute: times(base.loginPerMinute),
    unidentifiedPerMinute: times(base.unidentifiedPerMinute),
  };
}

/** One limit a request counts against: which counter, under which key. */
interface LimitCheck {
  limiter: RateLimiterAbstract;
  key: string;
}

/**
 * The counters of one app: in Redis through the engine's shared client when there is one
 * (it fails fast while Redis is away, and the engine closes it on shutdown), else in memory.
 */
class LimiterStore {
  private readonly limiters = new Map<string, RateLimiterAbstract>();

  constructor(
    private readonly redis: Redis | undefined,
    private readonly prefix: string,
  ) {}

  /** The limiter of `points` requests a minute for one kind of counter. */
  limiter(kind: string, points: number): RateLimiterAbstract {
    const name = `${this.prefix}:${kind}:${points}`;
    let limiter = this.limiters.get(name);
    if (!limiter) this.limiters.set(name, (limiter = this.create(name, points)));
    return limiter;
  }

  private create(keyPrefix: string, points: number): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration: 60 });
    if (!this.redis) return memory;
    // While Redis is away, each node counts on its own rather than failing requests.
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix,
      points,
      duration: 60,
      insuranceLimiter: memory,
    });
  }
}

/**
 * Limits requests a minute: per tenant by its plan (the tenant of the credential presented,
 * identified through the same cached lookup the command will use) and per credential of the
 * tenant (API key, agent key or staff user: `keyShare` of the tenant's figure, so one key
 * never starves the others while the tenant's figure still caps them all), per client
 * address for
 * signup, login and credentials that identify no one. Every limited answer carries
 * `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`; a refusal is 429
 * `rate_limited` with `Retry-After`. Requests without a credential, and the platform
 * operator's, are not counted.
 */
export function limitRequests(services: EngineServices) {
  const current = scaled(policy, services.config.rateLimitScale);
  const prefix = current.keyPrefix ?? `${services.config.actors.clusterName}:rate`;
  const store = new LimiterStore(services.redis, prefix);

  return async function limitRequest(ctx: HttpContext, next: Next): Promise<void> {
    const checks = await checksOf(ctx, services, current, store);
    if (checks.length === 0) return next();

    // One after the other, stopping at the first refusal: a key past its own budget does
    // not also use up its tenant's, which the tenant's other keys need.
    const outcomes: LimitOutcome[] = [];
    for (const check of checks) {
      const outcome = await consume(check);
      outcomes.push(outcome);
      if (!outcome.allowed) break;
    }
    const refused = outcomes.find((outcome) => !outcome.allowed);
    const shown = refused ?? tightest(outcomes);
    setLimitHeaders(ctx, shown);
    if (refused) throw rateLimited(refused);
    return next();
  };
}

async function checksOf(
  ctx: HttpContext,
  services: EngineServices,
  current: RateLimitPolicy,
  store: LimiterStore,
): Promise<LimitCheck[]> {
  const checks: LimitCheck[] = [];
  const address = ctx.ip;
  if (ctx.method === "POST" && ctx.path === "/api/v1/signup") {
    checks.push({ limiter: store.limiter("signup", current.signupPerMinute), key: address });
  }
  if (ctx.method === "POST" && ctx.path === "/api/v1/auth/login") {
    checks.push({ limiter: store.limiter("login", current.loginPerMinute), key: address });
  }

  const caller = await callerOf(ctx, services);
  if (caller.kind === "tenant") {
    ctx.state.tenantId = caller.tenantId;
    const points = current.tenantPerMinute(caller.plan);
    const keyPoints = Math.max(1, Math.ceil(points * current.keyShare));
    checks.push({ limiter: store.limiter("key", keyPoints), key: caller.credentialId });
    checks.push({ limiter: store.limiter("tenant", points), key: caller.tenantId });
  } else if (caller.kind === "unidentified") {
    const points = current.unidentifiedPerMinute;
    checks.push({ limiter: store.limiter("unidentified", points), key: address });
  }
  return checks;
}

type Caller =
  | { kind: "none" }
  | { kind: "operator" }
  | { kind: "unidentified" }
  | { kind: "tenant"; tenantId: string; plan: SaasPlan; credentialId: string };

/**
 * Who the request's credential belongs to. Failures are not answered here: the command
 * identifies the caller again (from the cache) and refuses with the right error.
 */
async function callerOf(ctx: HttpContext, services: EngineServices): Promise<Caller> {
  let credential: string | undefined;
  try {
    credential = credentialOf(ctx);
  } catch {
    return { kind: "unidentified" };
  }
  if (credential === undefined) return { kind: "none" };

  try {
    const lookup = () => services.db.fork();
    const principal = await identifyPrincipal(services, lookup, credential);
    if (principal.kind === "platform") return { kind: "operator" };
    if (!isTenantPrincipal(principal)) return { kind: "unidentified" };
    const tenant = await resolveCallerTenant(services, lookup, principal.tenantId, undefined);
    const credentialId =
      principal.kind === "staff" ? `user:${principal.userId}` : `key:${principal.keyId}`;
    return { kind: "tenant", tenantId: tenant.id, plan: tenant.plan, credentialId };
  } catch {
    return { kind: "unidentified" };
  }
}

/** What one counter said about this request. */
interface LimitOutcome {
  allowed: boolean;
  limit: number;
  remaining: number;
  msBeforeReset: number;
}

async function consume({ limiter, key }: LimitCheck): Promise<LimitOutcome> {
  try {
    const answer = await limiter.consume(key);
    return outcomeOf(limiter.points, answer, true);
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return outcomeOf(limiter.points, refusal, false);
    // The store failed and had no insurance: let the request through rather than fail it.
    log.warn({ err: refusal }, "rate limit store failed; request not counted");
    return { allowed: true, limit: limiter.points, remaining: limiter.points, msBeforeReset: 0 };
  }
}

function outcomeOf(limit: number, answer: RateLimiterRes, allowed: boolean): LimitOutcome {
  return {
    allowed,
    limit,
    remaining: Math.max(0, answer.remainingPoints),
    msBeforeReset: answer.msBeforeNext,
  };
}

/** The outcome with the fewest requests left (the lower limit on a tie): the one hit first. */
function tightest(outcomes: LimitOutcome[]): LimitOutcome {
  return outcomes.reduce((a, b) =>
    b.remaining < a.remaining || (b.remaining === a.remaining && b.limit < a.limit) ? b : a,
  );
}

function setLimitHeaders(ctx: HttpContext, outcome: LimitOutcome): void {
  ctx.set("RateLimit-Limit", String(outcome.limit));
  ctx.set("RateLimit-Remaining", String(outcome.remaining));
  ctx.set("RateLimit-Reset", String(secondsUntil(outcome.msBeforeReset)));
  if (!outcome.allowed) ctx.set("Retry-After", String(secondsUntil(outcome.msBeforeReset)));
}

function secondsUntil(ms: number): number {
  return Math.max(0, Math.ceil(ms / 1000));
}

function rateLimited(outcome: LimitOutcome): AppError {
  const seconds = secondsUntil(outcome.msBeforeReset);
  return new AppError(
    "rate_limited",
    `more than ${outcome.limit} requests a minute; retry in ${seconds} s`,
    { limit: outcome.limit, retryAfterSeconds: seconds },
  );
}
