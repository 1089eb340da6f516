import type { EntityManager } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/knex";
import { createHash } from "node:crypto";
import type { DatabaseTarget } from "../config.js";
import { errors } from "../domain/app-error.js";
import { bytesFromMb, hasRoomFor, type StorageUsage } from "../domain/plan-limits.js";
import {
  bytesMatchType,
  isLogoContentType,
  logoContentTypes,
  maxLogoBytes,
  type UploadKind,
} from "../domain/uploads.js";
import { Tenant, Upload } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { recordAudit, type AuditOrigin } from "./audit.js";
import { withTenantLocked } from "./tenant-lock.js";

/** Where upload changes run: the tenant's unit of work, its database dialect, the origin. */
export interface UploadScope {
  em: EntityManager;
  dialect: DatabaseTarget["dialect"];
  tenantId: string;
  origin: AuditOrigin;
}

/** An upload as the API describes it; the bytes are served at `url`. */
export interface UploadView {
  id: string;
  kind: UploadKind;
  contentType: string;
  sizeBytes: number;
  sha256: string;
  url: string;
  createdAt: string;
}

/** A stored file as `GET /v1/files/:id` serves it. */
export interface StoredFile {
  contentType: string;
  sha256: string;
  data: Buffer;
  createdAt: Date;
}

/** Kinds of upload anyone may fetch by id (a logo is shown in the public widget). */
const publicKinds: ReadonlySet<UploadKind> = new Set(["logo"]);

/** The public address of an upload's bytes. */
export function fileUrl(id: string): string {
  return `/v1/files/${id}`;
}

/** Bytes the tenant's uploads take against its storage limit. */
export async function storageUsage(em: EntityManager, tenant: Tenant): Promise<StorageUsage> {
  return {
    usedBytes: await bytesStored(em, tenant.id),
    limitBytes: bytesFromMb(tenant.storageLimitMb),
  };
}

/**
 * Stores a new logo and makes it the tenant's `logoUrl`, removing the logo it replaces. The
 * bytes must be an accepted image type that they really are; the storage limit is checked
 * under the tenant's row lock, so concurrent uploads never exceed it.
 */
export async function replaceLogo(
  scope: UploadScope,
  file: { contentType: string; bytes: Uint8Array },
): Promise<UploadView> {
  const contentType = checkLogo(file.contentType, file.bytes);
  const bytes = Buffer.from(file.bytes);
  const sha256 = createHash("sha256").update(bytes).digest("hex");

  return withTenantLocked(scope.em, scope.dialect, scope.tenantId, async (tx) => {
    const tenant = await tx.findOneOrFail(Tenant, { id: scope.tenantId }, { refresh: true });
    const replaced = await tx.find(Upload, { tenant: tenant.id, kind: "logo" });
    const kept = (await bytesStored(tx, tenant.id)) - sum(replaced.map((u) => u.sizeBytes));
    const limit = bytesFromMb(tenant.storageLimitMb);
    if (!hasRoomFor(kept, limit, bytes.length)) {
      throw errors.storageLimitReached(limit, kept, bytes.length);
    }

    const upload = tx.create(Upload, {
      id: newId(idPrefixes.upload),
      tenant: tenant.id,
      kind: "logo",
      contentType,
      sizeBytes: bytes.length,
      sha256,
      data: bytes,
      createdAt: new Date(),
    });
    for (const old of replaced) tx.remove(old);
    const before = tenant.logoUrl;
    tenant.logoUrl = fileUrl(upload.id);
    audit(tx, scope, "tenant.logo.uploaded", { before, after: tenant.logoUrl, sha256 });
    await tx.flush();
    return viewUpload(upload);
  });
}

/** Removes the tenant's uploaded logo and clears `logoUrl`; answers whether one was stored. */
export async function removeLogo(scope: UploadScope): Promise<{ removed: boolean }> {
  return withTenantLocked(scope.em, scope.dialect, scope.tenantId, async (tx) => {
    const tenant = await tx.findOneOrFail(Tenant, { id: scope.tenantId }, { refresh: true });
    const logos = await tx.find(Upload, { tenant: tenant.id, kind: "logo" });
    for (const logo of logos) tx.remove(logo);
    const before = tenant.logoUrl;
    tenant.logoUrl = null;
    audit(tx, scope, "tenant.logo.removed", { before, after: null });
    await tx.flush();
    return { removed: logos.length > 0 };
  });
}

/**
 * A file anyone may fetch by its id, whatever its tenant (ids cannot be guessed); null for an
 * unknown id or a kind that is not public. `em` need not be confined to a tenant.
 */
export async function readPublicFile(em: EntityManager, id: string): Promise<StoredFile | null> {
  // Unscoped on purpose: the id alone names the file, as an image URL must.
  const upload = await em.findOne(Upload, { id }, { filters: false, populate: ["data"] });
  if (!upload || !publicKinds.has(upload.kind)) return null;
  return {
    contentType: upload.contentType,
    sha256: upload.sha256,
    data: upload.data,
    createdAt: upload.createdAt,
  };
}

/** Checks a logo's type and bytes; answers its content type. */
function checkLogo(declared: string, bytes: Uint8Array) {
  const contentType = declared.split(";")[0]!.trim().toLowerCase();
  if (!isLogoContentType(contentType)) {
    throw errors.uploadTypeNotAccepted(declared || "none", logoContentTypes);
  }
  if (bytes.length === 0) {
    throw errors.invalidInput([{ path: "body", message: "the body is empty; send the image" }]);
  }
  if (bytes.length > maxLogoBytes) throw errors.payloadTooLarge(maxLogoBytes / 1024);
  if (!bytesMatchType(bytes, contentType)) {
    throw errors.invalidInput([
      { path: "body", message: `the bytes are not a ${contentType} image` },
    ]);
  }
  return contentType;
}

async function bytesStored(em: EntityManager, tenantId: string): Promise<number> {
  const rows: { used: number | string | null }[] = await (em as SqlEntityManager).execute(
    "select coalesce(sum(size_bytes), 0) as used from uploads where tenant_id = ?",
    [tenantId],
  );
  return Number(rows[0]?.used ?? 0);
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function viewUpload(upload: Upload): UploadView {
  return {
    id: upload.id,
    kind: upload.kind,
    contentType: upload.contentType,
    sizeBytes: upload.sizeBytes,
    sha256: upload.sha256,
    url: fileUrl(upload.id),
    createdAt: upload.createdAt.toISOString(),
  };
}

function audit(tx: EntityManager, scope: UploadScope, action: string, summary: object): void {
  recordAudit(tx, scope.origin, {
    tenantId: scope.tenantId,
    action,
    entityType: "tenant",
    entityId: scope.tenantId,
    summary: summary as Record<string, unknown>,
  });
}
