import coBody from "co-body";
import type { Next } from "koa";
import { errors } from "../../domain/app-error.js";
import type { HttpContext } from "./http-state.js";

const methodsWithBodies = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Parses a JSON body into `ctx.state.body`: broken JSON is a 400, a body over the limit a
 * 413, another content type a 415. The raw text is never kept.
 */
export function parseJsonBody(limitKb: number) {
  return async function jsonBody(ctx: HttpContext, next: Next): Promise<void> {
    if (!methodsWithBodies.has(ctx.method) || !hasBody(ctx)) return next();
    if (!ctx.is("application/json", "+json")) {
      throw errors.unsupportedMediaType(ctx.get("content-type") || "none");
    }
    ctx.state.body = await readJson(ctx, limitKb);
    await next();
  };
}

function hasBody(ctx: HttpContext): boolean {
  const length = ctx.request.length;
  if (length !== undefined) return length > 0;
  return ctx.get("transfer-encoding") !== "";
}

async function readJson(ctx: HttpContext, limitKb: number): Promise<unknown> {
  try {
    return await coBody.json(ctx.req, { limit: `${limitKb}kb`, strict: true });
  } catch (err) {
    const failure = err as { type?: string; status?: number; message?: string };
    if (failure.type === "entity.too.large" || failure.status === 413) {
      throw errors.payloadTooLarge(limitKb);
    }
    if (failure.status === 400) {
      throw errors.malformed(`the body is not valid JSON (${failure.message ?? "parse error"})`);
    }
    throw err;
  }
}
