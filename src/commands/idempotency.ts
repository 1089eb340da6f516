import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import { createHash } from "node:crypto";
import { errors } from "../domain/app-error.js";
import { IdempotencyRecord } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";

/** How long an `Idempotency-Key` is remembered. */
const keepMs = 24 * 3600_000;

/** A stable fingerprint of a command and its validated input. */
export function fingerprint(commandName: string, input: unknown): string {
  return createHash("sha256").update(commandName).update(JSON.stringify(input)).digest("hex");
}

/** A deterministic id for what a keyed call creates, so a retry anywhere finds the same one. */
export function idForKey(prefix: string, tenantId: string, key: string): string {
  const digest = createHash("sha256").update(`${tenantId}\u0000${key}`).digest("hex");
  return `${prefix}_k${digest.slice(0, 25)}`;
}

/**
 * Runs a create call once per key within 24 hours: the same key and input replay the stored
 * answer; the same key with other input is 409 `idempotency_key_reused`.
 */
export async function runOnce<T>(
  em: EntityManager,
  tenantId: string,
  key: string,
  requestHash: string,
  work: () => Promise<T>,
): Promise<T> {
  const known = await em.findOne(IdempotencyRecord, { idempotencyKey: key });
  if (known && known.createdAtMs > Date.now() - keepMs) {
    if (known.requestHash !== requestHash) throw errors.idempotencyKeyReused(key);
    return JSON.parse(known.response) as T;
  }
  if (known) await em.nativeDelete(IdempotencyRecord, { id: known.id });

  const output = await work();
  try {
    await em.insert(IdempotencyRecord, {
      id: newId(idPrefixes.idempotency),
      tenant: tenantId,
      idempotencyKey: key,
      requestHash,
      status: 200,
      response: JSON.stringify(output),
      createdAtMs: Date.now(),
    });
  } catch (err) {
    // A concurrent call with the same key stored its answer first; both made the same thing.
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
  return output;
}
