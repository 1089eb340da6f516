import type { Next } from "koa";
import { errors } from "../../domain/app-error.js";
import type { HttpContext } from "./http-state.js";

const methodsWithBodies = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Parses a JSON body into `ctx.state.body`: broken JSON is a 400, a body over the limit a
 * 413 (read no further), another content type a 415. The raw text is never kept. Paths that
 * match `skip` are left to their own adapter.
 */
export function parseJsonBody(limitKb: number, skip?: RegExp) {
  const limit = limitKb * 1024;
  return async function jsonBody(ctx: HttpContext, next: Next): Promise<void> {
    if (!methodsWithBodies.has(ctx.method) || !hasBody(ctx)) return next();
    if (skip?.test(ctx.path)) return next();
    if (!ctx.is("application/json", "+json")) {
      throw errors.unsupportedMediaType(ctx.get("content-type") || "none");
    }
    const encoding = ctx.get("content-encoding");
    if (encoding !== "" && encoding !== "identity") {
      throw errors.unsupportedMediaType(`${ctx.get("content-type")} with ${encoding} encoding`);
    }
    if ((ctx.request.length ?? 0) > limit) throw errors.payloadTooLarge(limitKb);
    const text = await readText(ctx, limit, limitKb);
    try {
      ctx.state.body = JSON.parse(text);
    } catch (err) {
      throw errors.malformed(`the body is not valid JSON (${(err as Error).message})`);
    }
    await next();
  };
}

function hasBody(ctx: HttpContext): boolean {
  const length = ctx.request.length;
  if (length !== undefined) return length > 0;
  return ctx.get("transfer-encoding") !== "";
}

/** Reads a request body as UTF-8 text, refusing (413) past `limitKb`. */
export async function readText(ctx: HttpContext, limit: number, limitKb: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw errors.payloadTooLarge(limitKb);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}
