import type { EntityManager } from "@mikro-orm/core";
import { createHmac, randomBytes } from "node:crypto";
import { errors } from "../domain/app-error.js";
import { apiKeyPrefixes, type ApiKeyKind, type ApiKeyMode } from "../domain/tenancy.js";
import { ApiKey } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";

/** What a new key is for. */
export interface ApiKeyRequest {
  kind: ApiKeyKind;
  mode: ApiKeyMode;
  name?: string | undefined;
  allowedOrigins?: string[] | undefined;
  createdBy?: string | undefined;
}

/** A key as listed: never the key itself, only its visible prefix. */
export interface ApiKeySummary {
  id: string;
  kind: ApiKeyKind;
  mode: ApiKeyMode;
  prefix: string;
  name: string | null;
  allowedOrigins: string[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const visibleSecretChars = 6;

/** HMAC-SHA-256 of a key under the platform pepper, hex. */
export function hashApiKey(pepper: Buffer, key: string): string {
  return createHmac("sha256", pepper).update(key, "utf8").digest("hex");
}

/** True when `value` has the shape of a VBWD API key, `sk_live_…` and the like. */
export function looksLikeApiKey(value: string): boolean {
  return /^(sk|pk|ak)_(test|live)_[A-Za-z0-9_-]{20,64}$/.test(value);
}

/**
 * Creates a key for the tenant of `em` and returns it with its plain text, which is never
 * stored and cannot be shown again.
 */
export function issueApiKey(
  em: EntityManager,
  tenantId: string,
  request: ApiKeyRequest,
  pepper: Buffer,
) {
  const head = `${apiKeyPrefixes[request.kind]}_${request.mode}_`;
  const key = head + randomBytes(24).toString("base64url");
  const record = em.create(ApiKey, {
    id: newId(idPrefixes.apiKey),
    tenant: tenantId,
    kind: request.kind,
    mode: request.mode,
    prefix: key.slice(0, head.length + visibleSecretChars),
    keyHash: hashApiKey(pepper, key),
    name: request.name ?? null,
    allowedOrigins: request.kind === "publishable" ? (request.allowedOrigins ?? []) : [],
    createdBy: request.createdBy ?? null,
    createdAt: new Date(),
    lastUsedAt: null,
    revokedAt: null,
  });
  return { record, key };
}

/** Marks a key of the tenant of `em` revoked (written on flush); 404 for any other's. */
export async function revokeApiKey(em: EntityManager, id: string): Promise<ApiKey> {
  const record = await em.findOne(ApiKey, { id });
  if (!record) throw errors.notFound("api key", id);
  record.revokedAt ??= new Date();
  return record;
}

/**
 * Finds an unrevoked key by its hash across all tenants. Deliberately unscoped: the key is
 * what tells us the tenant.
 */
export async function findActiveKeyUnscoped(em: EntityManager, keyHash: string) {
  return em.findOne(ApiKey, { keyHash, revokedAt: null }, { filters: false });
}

/** The listing form of a key. */
export function summarizeApiKey(record: ApiKey): ApiKeySummary {
  return {
    id: record.id,
    kind: record.kind,
    mode: record.mode,
    prefix: record.prefix,
    name: record.name,
    allowedOrigins: record.allowedOrigins,
    createdAt: record.createdAt.toISOString(),
    lastUsedAt: record.lastUsedAt?.toISOString() ?? null,
    revokedAt: record.revokedAt?.toISOString() ?? null,
  };
}
