import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Next } from "koa";
import { errors } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import type { HttpContext } from "./http-state.js";

const log = moduleLogger("gateway:dashboard");

const prefix = "/dashboard";
const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const assetName = /^[a-z0-9][a-z0-9-]*\.(html|js|css)$/;

/**
 * Serves the staff dashboard: `GET /dashboard` answers its page, `GET /dashboard/<file>` the
 * scripts and styles next to it. Only the files found in the folder at start are served, so no
 * path can reach outside it; every answer is revalidated (`Cache-Control: no-cache`).
 */
export function dashboardAssets(folder: string | undefined = findDashboardFolder()) {
  const assets = folder ? listAssets(folder) : new Map<string, string>();
  if (assets.size === 0) log.warn({ folder }, "dashboard files not found; /dashboard answers 404");

  return async function serveDashboard(ctx: HttpContext, next: Next): Promise<void> {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const name = ctx.path.slice(prefix.length + 1) || "index.html";
    const type = assets.get(name);
    if (!folder || !type) throw errors.notFound("dashboard file", name);
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      ctx.set("Allow", "GET, HEAD");
      throw errors.methodNotAllowed(ctx.method, ctx.path, "GET");
    }

    ctx.set("Cache-Control", "no-cache");
    ctx.type = type;
    ctx.body = await readFile(join(folder, name));
  };
}

/**
 * `widget/dashboard` of the repository: found by walking up from this module to the folder
 * holding package.json, which works from `src/` (tsx) and from the compiled `dist/src/`.
 */
export function findDashboardFolder(start = dirname(fileURLToPath(import.meta.url))) {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, "package.json"))) return join(folder, "widget", "dashboard");
    if (dirname(folder) === folder) return undefined;
  }
}

/** The servable files of the folder, by name, with their content types. */
function listAssets(folder: string): Map<string, string> {
  if (!existsSync(folder)) return new Map();
  const names = readdirSync(folder).filter((name) => assetName.test(name));
  return new Map(names.map((name) => [name, contentTypes[name.split(".").pop()!]!]));
}
