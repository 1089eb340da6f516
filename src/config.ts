import { isIP } from "node:net";
import { z } from "zod";
import type { SmsSettings } from "./notify/sms.js";

/** Log levels pino understands, plus `silent`. */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);

const optionalString = z.preprocess(emptyToUndefined, z.string().optional());

const booleanFlag = z.preprocess(
  emptyToUndefined,
  z
    .enum(["true", "false", "1", "0", "yes", "no"], {
      error: "expected true or false",
    })
    .transform((value) => ["true", "1", "yes"].includes(value))
    .optional(),
);

const databaseUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((value) => /^(sqlite:.+|mysql:\/\/.+|mariadb:\/\/.+)$/.test(value), {
      message: "expected sqlite:PATH or mysql://user:pass@host:port/db",
    })
    .optional(),
);

const redisUrl = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .refine((value) => /^rediss?:\/\/.+/.test(value), {
      message: "expected redis://host:port or rediss://host:port",
    })
    .optional(),
);

const port = z.preprocess(
  emptyToUndefined,
  z.coerce
    .number({ error: "expected a port number" })
    .int("expected a whole port number")
    .min(0, "expected a port between 0 and 65535")
    .max(65535, "expected a port between 0 and 65535")
    .default(3000),
);

const domainName = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .regex(
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/,
      {
        message: "expected a lowercase domain name such as vbwd.example.com",
      },
    )
    .optional(),
);

/** `ip[:port]` as `Resolver.setServers` takes it: `192.0.2.1`, `192.0.2.1:5353`, `[2001:db8::1]:53`. */
function isDnsServer(entry: string): boolean {
  if (isIP(entry) !== 0) return true;
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(entry);
  if (!match) return false;
  const port = Number(match[3]);
  const ip = match[1] ?? match[2]!;
  return port >= 1 && port <= 65535 && isIP(ip) === (match[1] === undefined ? 4 : 6);
}

const dnsServers = z.preprocess(
  emptyToUndefined,
  z
    .string()
    .transform((value) => value.split(",").map((entry) => entry.trim()))
    .refine((entries) => entries.every(isDnsServer), {
      message: "expected comma-separated ip[:port] entries such as 192.0.2.53,[2001:db8::53]:53",
    })
    .optional(),
);

const secret = (minLength: number) =>
  z.preprocess(
    emptyToUndefined,
    z.string().min(minLength, `expected at least ${minLength} characters`).optional(),
  );

/** The environment variables VBWD reads, each with its expected form. */
const environmentSchema = z.object({
  PORT: port,
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default("0.0.0.0")),
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  PLATFORM_ADMIN_TOKEN: secret(24),
  JWT_SECRET: secret(32),
  KEY_PEPPER: secret(32),
  BASE_DOMAIN: domainName,
  DNS_SERVERS: dnsServers,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(logLevels, { error: `expected one of ${logLevels.join(", ")}` }).default("info"),
  ),
  DEMO_TENANT: booleanFlag,
  BODY_LIMIT_KB: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: "expected a size in kilobytes" })
      .int()
      .min(1)
      .max(10_240)
      .default(100),
  ),
  SHUTDOWN_GRACE_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected milliseconds" }).int().min(0).default(10_000),
  ),
  DATA_DIR: optionalString,
  NODE_ID: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,60}$/, "expected 1–60 letters, digits, dots, dashes or underscores")
      .optional(),
  ),
  ACTOR_SHARDS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: "expected a whole number of shards" })
      .int()
      .min(1, "expected at least 1 shard")
      .max(65_536, "expected at most 65536 shards")
      .default(1024),
  ),
  ACTOR_LEASE_TTL_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected milliseconds" }).int().min(500).max(120_000).default(5000),
  ),
  ACTOR_IDLE_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected milliseconds" }).int().min(1000).default(300_000),
  ),
  ACTOR_MAX: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a whole number" }).int().min(100).default(200_000),
  ),
  RATE_LIMIT_SCALE: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a positive number" }).positive().default(1),
  ),
  HOLD_GRACE_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected milliseconds" }).int().min(0).default(30_000),
  ),
  REALTIME_RECOVERY_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected milliseconds" }).int().min(0).default(120_000),
  ),
  INTERNAL_HOST: z.preprocess(emptyToUndefined, z.string().min(1).default("127.0.0.1")),
  INTERNAL_PORT: port.default(0),
  INTERNAL_ADVERTISED_HOST: optionalString,
  CLUSTER_TOKEN: secret(24),
  STRIPE_SECRET_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]{8,}$/, "expected a Stripe secret key (sk_test_…)")
      .optional(),
  ),
  STRIPE_WEBHOOK_SECRET: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^whsec_[A-Za-z0-9+/=]{8,}$/, "expected a signing secret (whsec_…)")
      .optional(),
  ),
  STRIPE_API_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({
        protocol: /^https?$/,
        error: "expected an http(s) URL such as http://127.0.0.1:12111",
      })
      .optional(),
  ),
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: "expected the engine's public http(s) URL" }).optional(),
  ),
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({
        protocol: /^smtps?$/,
        error: "expected smtp://user:pass@host:port or smtps://host:465",
      })
      .optional(),
  ),
  MAIL_FROM: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[^\r\n<>]{0,100}<[^\s@<>]+@[^\s@<>]+>$|^[^\s@<>]+@[^\s@<>]+$/, {
        message: 'expected an address such as "VBWD <no-reply@example.com>"',
      })
      .default("VBWD <no-reply@localhost>"),
  ),
  SMS_API_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: "expected the SMS API's base URL" }).optional(),
  ),
  SMS_ACCOUNT_SID: optionalString,
  SMS_AUTH_TOKEN: optionalString,
  SMS_FROM: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^(\+[1-9]\d{6,14}|[A-Za-z0-9 ]{1,11})$/,
        "expected +E.164 or a sender name of 1–11 letters and digits",
      )
      .optional(),
  ),
  WEBHOOK_RETRY_BASE_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected milliseconds" }).int().min(10).default(5_000),
  ),
  WEBHOOK_GIVE_UP_AFTER_MS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number({ error: "expected milliseconds" })
      .int()
      .min(1_000)
      .default(3 * 24 * 3_600_000),
  ),
  WEBHOOK_ALLOW_PRIVATE_TARGETS: booleanFlag,
  OUTBOX_SWEEP_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected milliseconds" }).int().min(100).default(10_000),
  ),
  CLUSTER_NAME: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^[a-z0-9_-]{1,40}$/, "expected 1–40 lowercase letters, digits, - or _")
      .default("vbwd"),
  ),
});

/** Where the engine keeps its data, resolved from `DATABASE_URL`. */
export type DatabaseTarget =
  { dialect: "sqlite"; path: string } | { dialect: "mysql"; url: string; database: string };

/** The engine's validated configuration, complete with defaults. */
export interface Config {
  /** TCP port for HTTP and Socket.IO (`PORT`, default 3000; 0 picks a free port). */
  port: number;
  /** Interface to listen on (`HOST`, default 0.0.0.0). */
  host: string;
  /** The database (`DATABASE_URL`; unset means `./data/vbwd.sqlite`). */
  database: DatabaseTarget;
  /** Redis for clustering, realtime and limits (`REDIS_URL`; unset means a single node). */
  redisUrl: string | undefined;
  /** The platform operator's bearer token (`PLATFORM_ADMIN_TOKEN`; unset: generated once). */
  platformAdminToken: string | undefined;
  /** HMAC secret for staff tokens (`JWT_SECRET`; unset: generated once, kept in the database). */
  jwtSecret: string | undefined;
  /** Server-side pepper for API key hashes (`KEY_PEPPER`; unset: generated once, kept). */
  keyPepper: string | undefined;
  /** Tenants are reachable at `<code>.<BASE_DOMAIN>` when set. */
  baseDomain: string | undefined;
  /** Resolvers that check custom domains' TXT records (`DNS_SERVERS`; unset: the system's). */
  dnsServers: string[] | undefined;
  /** pino level (`LOG_LEVEL`, default info). */
  logLevel: (typeof logLevels)[number];
  /** Create the `demo` tenant on first start (`DEMO_TENANT`; default: on for SQLite). */
  demoTenant: boolean;
  /** Largest accepted JSON body in kilobytes (`BODY_LIMIT_KB`, default 100). */
  bodyLimitKb: number;
  /** How long in-flight requests may take to finish on shutdown (`SHUTDOWN_GRACE_MS`). */
  shutdownGraceMs: number;
  /** Folder for local files such as the demo credentials (`DATA_DIR`, default `./data`). */
  dataDir: string;
  realtime: RealtimeSettings;
  /** Multiplies every request rate limit (`RATE_LIMIT_SCALE`, default 1). */
  rateLimitScale: number;
  /** Actor runtime settings. */
  actors: ActorSettings;
  /** Where customers and staff reach the engine (`PUBLIC_URL`; default http://localhost:PORT). */
  publicUrl: string | undefined;
  billing: BillingSettings;
  mail: MailSettings;
  webhooks: WebhookSettings;
  sms: SmsSettings;
}

/** Outbound webhooks and the outbox that feeds them. */
export interface WebhookSettings {
  /** `WEBHOOK_RETRY_BASE_MS`: the first retry's delay; each next one doubles, with jitter. */
  retryBaseMs: number;
  /** `WEBHOOK_GIVE_UP_AFTER_MS` (default 3 days): then the endpoint is turned off. */
  giveUpAfterMs: number;
  /** `WEBHOOK_ALLOW_PRIVATE_TARGETS`: deliver to loopback and private addresses (tests, LANs). */
  allowPrivateTargets: boolean;
  /** `OUTBOX_SWEEP_MS`: how often each node nudges every outbox partition (default 10 s). */
  sweepMs: number;
}

/** Outgoing email; without `SMTP_URL` messages are recorded and logged, not sent. */
export interface MailSettings {
  /** `SMTP_URL` (smtp://user:pass@host:587 or smtps://host:465); unset: record only. */
  smtpUrl: string | undefined;
  /** `MAIL_FROM`, the sender of every message (default `VBWD <no-reply@localhost>`). */
  from: string;
}

/** Stripe; unset keys mean plans are set by the platform admin and no payment is taken. */
export interface BillingSettings {
  /** `STRIPE_SECRET_KEY` (sk_test_… or sk_live_…). */
  stripeSecretKey: string | undefined;
  /** `STRIPE_WEBHOOK_SECRET` (whsec_…): verifies `POST /webhooks/stripe`. */
  stripeWebhookSecret: string | undefined;
  /** `STRIPE_API_URL`: another address for Stripe's API, such as a local stand-in in tests. */
  stripeApiUrl: string | undefined;
}

/** How this node runs actors and takes part in the cluster. */
export interface ActorSettings {
  /** This node's id (`NODE_ID`; default: host name and a random suffix). */
  nodeId: string | undefined;
  /** Shards S (`ACTOR_SHARDS`, default 1024); the same on every node, fixed per deployment. */
  shards: number;
  /** Lease and membership expiry (`ACTOR_LEASE_TTL_MS`, default 5000). */
  leaseTtlMs: number;
  /** Idle actors are passivated after this long (`ACTOR_IDLE_MS`, default 300000). */
  idleMs: number;
  /** Most live actors per node (`ACTOR_MAX`, default 200000). */
  maxActors: number;
  /** Interface for node-to-node forwards (`INTERNAL_HOST`, default 127.0.0.1). */
  internalHost: string;
  /** Port for node-to-node forwards (`INTERNAL_PORT`, default 0: any free port). */
  internalPort: number;
  /** Host other nodes use to reach this one (`INTERNAL_ADVERTISED_HOST`; default INTERNAL_HOST). */
  advertisedHost: string | undefined;
  /** Shared secret of node-to-node forwards (`CLUSTER_TOKEN`; unset: generated once, kept). */
  clusterToken: string | undefined;
  /** Names the cluster's keys in Redis, so clusters can share one (`CLUSTER_NAME`, vbwd). */
  clusterName: string;
}

/** Socket.IO settings. */
export interface RealtimeSettings {
  /**
   * How long a hold placed over a socket outlives its socket's disconnection before it is
   * released, unless the socket comes back (`HOLD_GRACE_MS`, default 30000).
   */
  holdGraceMs: number;
  /** How long a dropped socket can resume its session and missed events (`REALTIME_RECOVERY_MS`, default 120000). */
  recoveryMs: number;
}

/** Thrown when the environment holds a value VBWD cannot use. */
export class ConfigError extends Error {
  /** Each problem as `VARIABLE: what was expected`. */
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
    this.problems = problems;
  }
}

/** Reads and validates the environment once; throws `ConfigError` naming each bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? "environment");
      const given = env[variable];
      const shown = given === undefined ? "" : ` (got "${redact(variable, given)}")`;
      return `${variable}: ${issue.message}${shown}`;
    });
    throw new ConfigError(problems);
  }

  const vars = parsed.data;
  const dataDir = vars.DATA_DIR ?? "./data";
  const database = resolveDatabase(vars.DATABASE_URL, dataDir);
  return {
    port: vars.PORT,
    host: vars.HOST,
    database,
    redisUrl: vars.REDIS_URL,
    platformAdminToken: vars.PLATFORM_ADMIN_TOKEN,
    jwtSecret: vars.JWT_SECRET,
    keyPepper: vars.KEY_PEPPER,
    baseDomain: vars.BASE_DOMAIN,
    dnsServers: vars.DNS_SERVERS,
    logLevel: vars.LOG_LEVEL,
    demoTenant: vars.DEMO_TENANT ?? database.dialect === "sqlite",
    bodyLimitKb: vars.BODY_LIMIT_KB,
    shutdownGraceMs: vars.SHUTDOWN_GRACE_MS,
    dataDir,
    realtime: { holdGraceMs: vars.HOLD_GRACE_MS, recoveryMs: vars.REALTIME_RECOVERY_MS },
    rateLimitScale: vars.RATE_LIMIT_SCALE,
    publicUrl: vars.PUBLIC_URL?.replace(/\/+$/, ""),
    billing: {
      stripeSecretKey: vars.STRIPE_SECRET_KEY,
      stripeWebhookSecret: vars.STRIPE_WEBHOOK_SECRET,
      stripeApiUrl: vars.STRIPE_API_URL,
    },
    mail: { smtpUrl: vars.SMTP_URL, from: vars.MAIL_FROM },
    sms: {
      apiUrl: vars.SMS_API_URL,
      accountSid: vars.SMS_ACCOUNT_SID,
      authToken: vars.SMS_AUTH_TOKEN,
      from: vars.SMS_FROM,
    },
    webhooks: {
      retryBaseMs: vars.WEBHOOK_RETRY_BASE_MS,
      giveUpAfterMs: vars.WEBHOOK_GIVE_UP_AFTER_MS,
      allowPrivateTargets: vars.WEBHOOK_ALLOW_PRIVATE_TARGETS ?? false,
      sweepMs: vars.OUTBOX_SWEEP_MS,
    },
    actors: {
      nodeId: vars.NODE_ID,
      shards: vars.ACTOR_SHARDS,
      leaseTtlMs: vars.ACTOR_LEASE_TTL_MS,
      idleMs: vars.ACTOR_IDLE_MS,
      maxActors: vars.ACTOR_MAX,
      internalHost: vars.INTERNAL_HOST,
      internalPort: vars.INTERNAL_PORT,
      advertisedHost: vars.INTERNAL_ADVERTISED_HOST,
      clusterToken: vars.CLUSTER_TOKEN,
      clusterName: vars.CLUSTER_NAME,
    },
  };
}

function resolveDatabase(url: string | undefined, dataDir: string): DatabaseTarget {
  if (url === undefined) return { dialect: "sqlite", path: `${dataDir}/vbwd.sqlite` };
  if (url.startsWith("sqlite:")) return { dialect: "sqlite", path: url.slice("sqlite:".length) };

  const parsed = new URL(url.replace(/^mariadb:/, "mysql:"));
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ""));
  if (database === "") {
    throw new ConfigError(["DATABASE_URL: expected a database name, as in mysql://host:3306/vbwd"]);
  }
  return { dialect: "mysql", url: parsed.toString(), database };
}

function redact(variable: string, value: string): string {
  return /TOKEN|SECRET|PEPPER|PASSWORD|_URL/.test(variable) ? "…" : value;
}
