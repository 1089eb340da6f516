import type { Next } from "koa";
import type { EngineServices } from "../../commands/command.js";
import { executeCommand } from "../../commands/execute.js";
import { commands } from "../../commands/registry.js";
import type { HttpContext } from "./http-state.js";

const widgetPath = /^\/v1\/widget\/([a-z0-9-]{1,60})\//;
const rememberMs = 30_000;
/** Answer headers a widget may read: rate limits and the request id. */
const exposedHeaders =
  "RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, X-Request-Id";

/**
 * CORS for the widget calls: a browser on an origin one of the tenant's publishable keys
 * allows may call `/v1/widget/:tenantCode/*`; each request's own key is checked again when it
 * runs. Preflights are answered here.
 */
export function widgetCors(services: EngineServices) {
  const known = new Map<string, { origins: string[]; until: number }>();

  async function originsOf(tenantCode: string): Promise<string[]> {
    const cached = known.get(tenantCode);
    if (cached && cached.until > Date.now()) return cached.origins;
    const { origins } = await executeCommand(services, commands.widgetOrigins, {
      input: { tenantCode },
      protocol: "rest",
    });
    if (known.size > 10_000) known.clear();
    known.set(tenantCode, { origins, until: Date.now() + rememberMs });
    return origins;
  }

  return async function cors(ctx: HttpContext, next: Next): Promise<void> {
    const origin = ctx.get("origin");
    const match = widgetPath.exec(ctx.path);
    if (!origin || !match) return next();

    const origins = await originsOf(match[1]!);
    const allowed = origins.includes("*") || origins.includes(origin);
    if (allowed) {
      ctx.set("Access-Control-Allow-Origin", origin);
      ctx.set("Access-Control-Expose-Headers", exposedHeaders);
      ctx.set("Vary", "Origin");
    }
    if (ctx.method !== "OPTIONS") return next();
    ctx.status = 204;
    if (!allowed) return;
    ctx.set("Access-Control-Allow-Methods", "GET, POST, DELETE");
    ctx.set(
      "Access-Control-Allow-Headers",
      "content-type, x-api-key, authorization, idempotency-key",
    );
    ctx.set("Access-Control-Max-Age", "600");
  };
}
