import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Next } from "koa";
import { errors } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import type { HttpContext } from "./http-state.js";

const log = moduleLogger("gateway:widget");

const prefix = "/widget/v1/";
const assetName = /^vbwd-widget(\.esm)?\.js(\.map)?$/;
/** Browsers and CDNs may keep a copy this long before revalidating with the ETag. */
const cacheControl = "public, max-age=300, stale-while-revalidate=3600";

/** A built file held in memory with the modification time it was read at. */
interface LoadedAsset {
  modifiedMs: number;
  body: Buffer;
  etag: string;
}

/**
 * Serves the embeddable widget's bundles, `GET /widget/v1/vbwd-widget.js` (and `.esm.js`, and
 * their source maps), from the build output. Any page may load them: they carry
 * `Cross-Origin-Resource-Policy: cross-origin` and `Access-Control-Allow-Origin: *`, a short
 * public cache lifetime and an ETag. When the output is missing (a fresh checkout started
 * with tsx), the first request builds it.
 */
export function widgetAssets(root: string | undefined = findRepositoryRoot()) {
  const folder = root ? join(root, "dist", "widget", "v1") : undefined;
  const loaded = new Map<string, LoadedAsset>();
  let building: Promise<void> | undefined;

  async function load(name: string): Promise<LoadedAsset | undefined> {
    if (!folder || !root) return undefined;
    const path = join(folder, name);
    if (!existsSync(path)) {
      building ??= buildOnce(root).finally(() => (building = undefined));
      await building;
      if (!existsSync(path)) return undefined;
    }
    const { mtimeMs } = await stat(path);
    const known = loaded.get(name);
    if (known?.modifiedMs === mtimeMs) return known;
    const body = await readFile(path);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`;
    const asset = { modifiedMs: mtimeMs, body, etag };
    loaded.set(name, asset);
    return asset;
  }

  return async function serveWidget(ctx: HttpContext, next: Next): Promise<void> {
    if (!ctx.path.startsWith(prefix)) return next();
    const name = ctx.path.slice(prefix.length);
    if (!assetName.test(name)) throw errors.notFound("widget file", name);
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      ctx.set("Allow", "GET, HEAD");
      throw errors.methodNotAllowed(ctx.method, ctx.path, "GET");
    }
    const asset = await load(name);
    if (!asset) throw errors.notFound("widget file", name);

    ctx.set("Cache-Control", cacheControl);
    ctx.set("Cross-Origin-Resource-Policy", "cross-origin");
    ctx.set("Access-Control-Allow-Origin", "*");
    ctx.type = name.endsWith(".map") ? "application/json" : "text/javascript; charset=utf-8";
    ctx.status = 200;
    ctx.etag = asset.etag;
    if (ctx.fresh) {
      ctx.status = 304;
      return;
    }
    ctx.body = asset.body;
  };
}

/** Runs scripts/build-widget.mjs in this process; a failure is logged and answers 404 later. */
async function buildOnce(root: string): Promise<void> {
  const script = join(root, "scripts", "build-widget.mjs");
  if (!existsSync(script)) return;
  try {
    const builder = (await import(pathToFileURL(script).href)) as {
      buildWidget(): Promise<unknown>;
    };
    await builder.buildWidget();
    log.info({ script }, "built the widget on demand");
  } catch (error) {
    log.error({ err: error, script }, "could not build the widget; run npm run build:widget");
  }
}

/** The folder holding package.json, walking up from this module (works from src/ and dist/src/). */
function findRepositoryRoot(start = dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, "package.json"))) return folder;
    if (dirname(folder) === folder) return undefined;
  }
}
