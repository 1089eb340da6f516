import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redis } from "ioredis";
import type { EngineServices } from "./commands/command.js";
import type { Config } from "./config.js";
import { createHttpApp } from "./gateway/http/app.js";
import type { ReadinessCheck } from "./gateway/http/health-routes.js";
import { configureLogging, moduleLogger } from "./logger.js";
import { IdentityCache, type Invalidation } from "./commands/identity-cache.js";
import { startActorRuntime } from "./engine/actor-runtime.js";
import { createStripeClient } from "./billing/stripe-client.js";
import { ChangeFeed } from "./engine/change-feed.js";
import { outboxActorKind } from "./engine/outbox-actor.js";
import { OutboxKicker } from "./engine/outbox-kicker.js";
import { tellEndpointDisabled } from "./notify/endpoint-alerts.js";
import { sendWebhook, webhookTimeoutMs } from "./notify/webhook-delivery.js";
import { openWebhookSecret } from "./tenants/webhook-secrets.js";
import { bookingMessages } from "./notify/booking-messages.js";
import { SmsSender, smsProviderFor } from "./notify/sms.js";
import { Mailer } from "./notify/mailer.js";
import { startRealtime } from "./realtime/realtime-server.js";
import { attachGraphqlSubscriptions } from "./gateway/graphql/graphql-routes.js";
import { Database } from "./store/database.js";
import { ensureDemoTenant, type DemoCredentials } from "./tenants/demo-tenant.js";
import { loadPlatformSecrets } from "./tenants/platform-secrets.js";
import { startTrialSweeper } from "./tenants/trial-expiry.js";
import { trialExpiryDeps } from "./commands/plan-enforcement.js";
import { ProtocolUsageMeter } from "./tenants/protocol-usage.js";

const log = moduleLogger("main");

/** A started engine: where it listens, what it made on first start, and how to stop it. */
export interface RunningEngine {
  url: string;
  port: number;
  services: EngineServices;
  /** The operator token, when this start generated it; it is not shown again. */
  generatedAdminToken: string | undefined;
  /** The demo tenant's credentials, when there is one; `created` on its first start. */
  demo: { created: boolean; credentials: DemoCredentials } | undefined;
  /** Drains in-flight requests (up to the grace period) and closes every connection. */
  stop(): Promise<void>;
}

/** Migrates the database and nothing else; returns the migrations it applied. */
export async function migrateOnly(config: Config): Promise<string[]> {
  configureLogging(config.logLevel);
  const db = await Database.open(config.database);
  try {
    return await db.migrate();
  } finally {
    await db.close();
  }
}

/** Starts the engine: migrate, load secrets, seed the demo tenant, connect Redis, listen. */
export async function startEngine(config: Config): Promise<RunningEngine> {
  configureLogging(config.logLevel);
  const db = await Database.open(config.database);
  await db.migrate();
  const secrets = await loadPlatformSecrets(db.fork(), config);
  const demo = config.demoTenant ? await ensureDemoTenant(db, secrets, config.dataDir) : undefined;
  const redis = config.redisUrl ? connectRedis(config.redisUrl) : undefined;
  const feed = new ChangeFeed();
  const mailer = new Mailer(db, config.mail);
  const outbox = outboxActorKind({
    db,
    settings: config.webhooks,
    send: (message) =>
      sendWebhook(message, {
        timeoutMs: webhookTimeoutMs,
        allowPrivateTargets: config.webhooks.allowPrivateTargets,
      }),
    openSecret: (endpointId, sealed) => openWebhookSecret(secrets.keyPepper, endpointId, sealed),
    endpointDisabled: (endpoint) => void tellEndpointDisabled(db, mailer, config, endpoint),
    dispatched: bookingMessages({
      db,
      config,
      jwtKey: secrets.jwtKey,
      mailer,
      sms: new SmsSender(db, smsProviderFor(config.sms)),
    }),
  });
  const actors = await startActorRuntime({
    settings: config.actors,
    db,
    redis,
    clusterToken: secrets.clusterToken,
    feed,
    extraKinds: [outbox],
  });
  const outboxKicker = new OutboxKicker(actors, feed, config.webhooks.sweepMs);

  const identities = new IdentityCache();
  const invalidations = redis ? shareInvalidations(redis, identities, config) : undefined;
  const stripe = createStripeClient(config.billing);
  const protocolUsage = new ProtocolUsageMeter(db);
  protocolUsage.start();
  const services: EngineServices = {
    config,
    db,
    secrets,
    actors,
    feed,
    identities,
    redis,
    stripe,
    mailer,
    protocolUsage,
  };
  const stopTrialSweeper = startTrialSweeper(trialExpiryDeps(services));
  let accepting = true;
  const checks: ReadinessCheck[] = [{ name: "database", check: () => db.ping() }];
  if (redis) checks.push({ name: "redis", check: async () => void (await redis.ping()) });
  const app = createHttpApp(services, { accepting: () => accepting, checks });

  const server = await listen(app.callback(), config);
  const realtime = startRealtime(server, services, redis);
  const subscriptions = attachGraphqlSubscriptions(server, services);
  const port = (server.address() as AddressInfo).port;
  const shownHost = ["0.0.0.0", "::"].includes(config.host) ? "localhost" : config.host;
  log.info(
    { port, database: config.database.dialect, redis: Boolean(redis), node: actors.nodeId },
    "engine started",
  );

  const stop = once(async () => {
    accepting = false;
    log.info("draining: readiness off, no new requests; handing shards off");
    stopTrialSweeper();
    outboxKicker.stop();
    await realtime.close();
    await subscriptions.close();
    await actors.stop();
    await closeServer(server, config.shutdownGraceMs);
    await protocolUsage.stop();
    actors.dispose();
    invalidations?.disconnect();
    await redis?.quit().catch(() => redis.disconnect());
    await services.mailer.close();
    await db.close();
    log.info("engine stopped");
  });

  return {
    url: `http://${shownHost}:${port}`,
    port,
    services,
    generatedAdminToken: secrets.generatedAdminToken,
    demo,
    stop,
  };
}

/**
 * Sends this node's cache invalidations to every node through Redis pub/sub, and applies
 * theirs here, so a revoked key stops working everywhere at once.
 */
function shareInvalidations(redis: Redis, identities: IdentityCache, config: Config): Redis {
  const channel = `${config.actors.clusterName}:invalidate`;
  // Queues the subscription until connected (the engine's client fails fast instead) and
  // subscribes again after every reconnection.
  const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
  subscriber.on("error", () => {});
  subscriber.on("message", (_channel, payload: string) => {
    identities.forget(JSON.parse(payload) as Invalidation);
  });
  void subscriber.subscribe(channel).catch((err: unknown) => {
    log.warn({ err }, "could not subscribe to invalidations");
  });
  identities.broadcast = (change) => {
    void redis.publish(channel, JSON.stringify(change)).catch((err: unknown) => {
      log.warn({ err, change }, "could not broadcast an invalidation");
    });
  };
  return subscriber;
}

/**
 * Connects to Redis in the background and keeps reconnecting: while it is away, readiness
 * says so and calls that need it fail fast instead of queueing.
 */
function connectRedis(url: string): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let reported = false;
  redis.on("error", (err) => {
    if (!reported) log.warn({ err }, "redis unreachable; retrying");
    reported = true;
  });
  redis.on("ready", () => {
    if (reported) log.info("redis reachable again");
    reported = false;
  });
  return redis;
}

async function listen(
  handler: Parameters<typeof import("node:http").createServer>[1],
  config: Config,
) {
  const { createServer } = await import("node:http");
  const server = createServer(handler);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  return server;
}

/** Stops accepting, lets in-flight requests finish, then cuts what is left after `graceMs`. */
function closeServer(server: Server, graceMs: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log.warn({ graceMs }, "grace period over: closing remaining connections");
      server.closeAllConnections();
    }, graceMs);
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}

function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= action());
}
