/**
 * Which real services this run has. With CI=true a missing MySQL or Redis is a failure (the
 * environment suite fails); otherwise the suites that need it skip, saying so loudly.
 */
import { createConnection } from "mysql2/promise";
import { Redis } from "ioredis";

/** True when running under CI, where nothing may skip. */
export const inCI = process.env.CI === "true";

/** The MySQL server URL from DATABASE_URL, when it points at MySQL or MariaDB. */
export function mysqlUrl(): string | undefined {
  const url = process.env.DATABASE_URL;
  return url && /^(mysql|mariadb):\/\//.test(url) ? url.replace(/^mariadb:/, "mysql:") : undefined;
}

/** The Redis URL from REDIS_URL, when set. */
export function redisUrl(): string | undefined {
  return process.env.REDIS_URL || undefined;
}

const warned = new Set<string>();

/** Prints a skip notice once per reason, loud enough to be seen in a long run. */
export function warnSkipped(what: string, why: string): void {
  if (inCI || warned.has(what)) return;
  warned.add(what);
  process.stderr.write(`\n!!! SKIPPING ${what}: ${why}\n`);
}

/** Resolves when MySQL at `url` answers; rejects with the driver's error otherwise. */
export async function pingMysql(url: string): Promise<void> {
  const server = new URL(url);
  server.pathname = "/";
  const connection = await createConnection({ uri: server.toString(), connectTimeout: 3000 });
  await connection.query("select 1");
  await connection.end();
}

/** Resolves when Redis at `url` answers PING. */
export async function pingRedis(url: string): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 3000,
  });
  try {
    await redis.connect();
    await redis.ping();
  } finally {
    redis.disconnect();
  }
}
