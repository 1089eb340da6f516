import { UniqueConstraintViolationException, type EntityManager } from "@mikro-orm/core";
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { Config } from "../config.js";
import { PlatformSetting } from "../store/entities/index.js";

/** The secrets every node must share, resolved from the environment or the database. */
export interface PlatformSecrets {
  /** Key for signing staff tokens (HS256). */
  jwtKey: Uint8Array;
  /** Pepper mixed into every API key hash. */
  keyPepper: Buffer;
  /** SHA-256 of the platform operator's token. */
  adminTokenHash: Buffer;
  /** The operator token, only when this start generated it (to print it once). */
  generatedAdminToken: string | undefined;
  /** Bearer token of node-to-node forwards. */
  clusterToken: string;
}

/**
 * Takes each secret from the environment, or else from `platform_settings`, generating and
 * storing it on first use. The first node to store a value wins; the others read it back.
 */
export async function loadPlatformSecrets(
  em: EntityManager,
  config: Config,
): Promise<PlatformSecrets> {
  const jwtSecret = config.jwtSecret ?? (await storedSecret(em, "jwt_secret")).value;
  const keyPepper = config.keyPepper ?? (await storedSecret(em, "key_pepper")).value;
  const admin = await resolveAdminToken(em, config.platformAdminToken);
  const clusterToken =
    config.actors.clusterToken ?? (await storedSecret(em, "cluster_token")).value;
  return {
    clusterToken,
    jwtKey: new TextEncoder().encode(jwtSecret),
    keyPepper: Buffer.from(keyPepper, "utf8"),
    adminTokenHash: admin.hash,
    generatedAdminToken: admin.generated,
  };
}

/** True when `token` is the platform operator's token (constant time). */
export function isAdminToken(secrets: PlatformSecrets, token: string): boolean {
  return timingSafeEqual(sha256(token), secrets.adminTokenHash);
}

async function resolveAdminToken(em: EntityManager, configured: string | undefined) {
  if (configured !== undefined) return { hash: sha256(configured), generated: undefined };

  const token = `vbwd_admin_${randomBytes(24).toString("base64url")}`;
  const stored = await storedSecret(em, "platform_admin_token_sha256", () =>
    sha256(token).toString("hex"),
  );
  return {
    hash: Buffer.from(stored.value, "hex"),
    generated: stored.created ? token : undefined,
  };
}

async function storedSecret(
  em: EntityManager,
  name: string,
  generate: () => string = () => randomBytes(32).toString("base64url"),
): Promise<{ value: string; created: boolean }> {
  const existing = await em.findOne(PlatformSetting, { name });
  if (existing) return { value: existing.value, created: false };

  const value = generate();
  try {
    await em.insert(PlatformSetting, { name, value, createdAt: new Date() });
    return { value, created: true };
  } catch (err) {
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }

  const winner = await em.findOneOrFail(PlatformSetting, { name }, { refresh: true });
  return { value: winner.value, created: false };
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
