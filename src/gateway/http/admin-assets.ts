import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Next } from "koa";
import { errors } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import type { HttpContext } from "./http-state.js";

const log = moduleLogger("gateway:admin");

const prefix = "/admin";
const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const assetName = /^[a-z0-9][a-z0-9-]*\.(html|js|css)$/;

/**
 * The portal holds the operator's token: nothing but its own files may run or be fetched, no
 * page may frame it, and no other origin learns where it was opened from.
 */
const securityHeaders: Record<string, string> = {
  "Content-Security-Policy": [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; "),
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "no-referrer",
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cache-Control": "no-cache",
};

/**
 * Serves the platform admin portal: `GET /admin` answers its page, `GET /admin/<file>` the
 * script and styles next to it, with strict security headers. Only the files found in the
 * folder at start are served, so no path can reach outside it.
 */
export function adminAssets(folder: string | undefined = findAdminFolder()) {
  const assets = folder ? listAssets(folder) : new Map<string, string>();
  if (assets.size === 0) log.warn({ folder }, "admin portal files not found; /admin answers 404");

  return async function serveAdmin(ctx: HttpContext, next: Next): Promise<void> {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const name = ctx.path.slice(prefix.length + 1) || "index.html";
    const type = assets.get(name);
    if (!folder || !type) throw errors.notFound("admin portal file", name);
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      ctx.set("Allow", "GET, HEAD");
      throw errors.methodNotAllowed(ctx.method, ctx.path, "GET");
    }

    ctx.set(securityHeaders);
    ctx.type = type;
    ctx.body = await readFile(join(folder, name));
  };
}

/** `widget/admin` of the repository, found by walking up to the folder holding package.json. */
export function findAdminFolder(start = dirname(fileURLToPath(import.meta.url))) {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, "package.json"))) return join(folder, "widget", "admin");
    if (dirname(folder) === folder) return undefined;
  }
}

/** The servable files of the folder, by name, with their content types. */
function listAssets(folder: string): Map<string, string> {
  if (!existsSync(folder)) return new Map();
  const names = readdirSync(folder).filter((name) => assetName.test(name));
  return new Map(names.map((name) => [name, contentTypes[name.split(".").pop()!]!]));
}
