import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { errors } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import type { HttpContext } from "../http/http-state.js";

const log = moduleLogger("gateway:docs");

const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const assetName = /^[a-z0-9][a-z0-9-]*\.(html|js|css)$/;

/**
 * Answers the API docs page's files from `folder` (`widget/docs`): its page for `/docs`, the
 * scripts and styles next to it by name. Only the files found at start are served, so no
 * path can reach outside the folder; every answer is revalidated (`Cache-Control: no-cache`).
 */
export function docsAssets(folder: string | undefined) {
  const assets = folder && existsSync(folder) ? listAssets(folder) : new Map<string, string>();
  if (assets.size === 0) log.warn({ folder }, "docs files not found; /docs answers 404");

  return async function serveDocsFile(ctx: HttpContext, name: string): Promise<void> {
    const type = assets.get(name);
    if (!folder || !type) throw errors.notFound("docs file", name);
    ctx.set("Cache-Control", "no-cache");
    ctx.type = type;
    ctx.body = await readFile(join(folder, name));
  };
}

function listAssets(folder: string): Map<string, string> {
  const names = readdirSync(folder).filter((name) => assetName.test(name));
  return new Map(names.map((name) => [name, contentTypes[name.split(".").pop()!]!]));
}
