import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { ApiKey } from "../store/entities/index.js";

const log = moduleLogger("tenants:key-usage");
const writeEveryMs = 60_000;
const lastWritten = new Map<string, number>();

/**
 * Records that a key was used, at most once a minute per key and off the request's path:
 * `lastUsedAt` is for humans deciding which keys to retire, not for accounting.
 */
export function noteKeyUsed(db: Database, tenantId: string, keyId: string): void {
  const now = Date.now();
  if (now - (lastWritten.get(keyId) ?? 0) < writeEveryMs) return;
  lastWritten.set(keyId, now);
  if (lastWritten.size > 10_000) lastWritten.clear();

  db.forkForTenant(tenantId)
    .nativeUpdate(ApiKey, { id: keyId }, { lastUsedAt: new Date(now) })
    .catch((err: unknown) => log.warn({ err, keyId }, "could not record key use"));
}
