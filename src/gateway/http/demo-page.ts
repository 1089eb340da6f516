import { existsSync, readdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Next } from "koa";
import type { EngineServices } from "../../commands/command.js";
import { AppError, errors } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import type { DemoCredentials } from "../../tenants/demo-tenant.js";
import type { HttpContext } from "./http-state.js";

const log = moduleLogger("gateway:demo");

const prefix = "/demo/clinic";
const contentTypes: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};
const assetName = /^[a-z0-9][a-z0-9-]*\.(html|js|css)$/;

/** What the demo page's script needs to embed the widget for the demo tenant. */
export interface DemoPageSettings {
  tenantId: string;
  apiKey: string;
  baseUrl: string;
}

/**
 * Serves a sample clinic website that embeds the booking widget for the `demo` tenant:
 * `GET /demo/clinic` answers the page, `GET /demo/clinic/<file>` its script and styles from
 * `widget/demo/`, and `GET /demo/clinic/settings.json` the tenant code, its publishable key
 * and this engine's address, read from `<DATA_DIR>/demo-credentials.json`. Without the demo
 * tenant every path here answers 404, saying how to turn it on.
 */
export function demoPage(services: EngineServices, folder = findDemoFolder()) {
  const assets = folder ? listAssets(folder) : new Map<string, string>();
  if (assets.size === 0) {
    log.warn({ folder }, "demo page files not found; /demo/clinic answers 404");
  }
  const credentialsFile = join(services.config.dataDir, "demo-credentials.json");

  return async function serveDemoPage(ctx: HttpContext, next: Next): Promise<void> {
    if (ctx.path !== prefix && !ctx.path.startsWith(`${prefix}/`)) return next();
    const credentials = services.config.demoTenant ? await readCredentials(credentialsFile) : null;
    if (!credentials) throw demoTenantMissing();
    const name = ctx.path.slice(prefix.length + 1) || "clinic.html";
    const type = assets.get(name);
    if (name !== "settings.json" && (!folder || !type)) throw errors.notFound("demo file", name);
    if (ctx.method !== "GET" && ctx.method !== "HEAD") {
      ctx.set("Allow", "GET, HEAD");
      throw errors.methodNotAllowed(ctx.method, ctx.path, "GET");
    }

    ctx.set("Cache-Control", "no-cache");
    if (name === "settings.json") {
      // Koa 3's `ctx.origin` is the Origin header; the page needs where it was served from.
      ctx.body = settingsFor(credentials, `${ctx.protocol}://${ctx.host}`);
      return;
    }
    ctx.type = type!;
    ctx.body = await readFile(join(folder!, name));
  };
}

/** The widget options the page passes to `VBWDWidget.init`, minus the container. */
function settingsFor(credentials: DemoCredentials, origin: string): DemoPageSettings {
  return { tenantId: credentials.tenantCode, apiKey: credentials.publishableKey, baseUrl: origin };
}

/** The demo tenant's credentials, or null when the file is missing or unreadable. */
async function readCredentials(file: string): Promise<DemoCredentials | null> {
  try {
    const credentials = JSON.parse(await readFile(file, "utf8")) as DemoCredentials;
    return credentials.tenantCode && credentials.publishableKey ? credentials : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      log.warn({ err: error, file }, "could not read the demo tenant's credentials");
    }
    return null;
  }
}

/** The demo page is off: no demo tenant, or its credentials file is gone. */
function demoTenantMissing(): AppError {
  return new AppError(
    "not_found",
    "the demo clinic page needs the demo tenant: start the engine with DEMO_TENANT=true " +
      "(the default on SQLite) and keep demo-credentials.json in DATA_DIR",
  );
}

/**
 * `widget/demo` of the repository: found by walking up from this module to the folder
 * holding package.json, which works from `src/` (tsx) and from the compiled `dist/src/`.
 */
export function findDemoFolder(start = dirname(fileURLToPath(import.meta.url))) {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, "package.json"))) return join(folder, "widget", "demo");
    if (dirname(folder) === folder) return undefined;
  }
}

/** The servable files of the folder, by name, with their content types. */
function listAssets(folder: string): Map<string, string> {
  if (!existsSync(folder)) return new Map();
  const names = readdirSync(folder).filter((name) => assetName.test(name));
  return new Map(names.map((name) => [name, contentTypes[name.split(".").pop()!]!]));
}
