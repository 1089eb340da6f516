import { randomUUID } from "node:crypto";
import type { Next } from "koa";
import { moduleLogger } from "../../logger.js";
import type { HttpContext } from "./http-state.js";

const log = moduleLogger("gateway:http");
const acceptableId = /^[A-Za-z0-9._:-]{8,64}$/;

/**
 * Gives every request an id (the caller's `X-Request-Id` when it is sane), a logger that
 * carries it, and one log line when it ends.
 */
export async function assignRequestId(ctx: HttpContext, next: Next): Promise<void> {
  const offered = ctx.get("x-request-id");
  ctx.state.requestId = acceptableId.test(offered) ? offered : randomUUID();
  ctx.state.log = log.child({ reqId: ctx.state.requestId });
  ctx.set("X-Request-Id", ctx.state.requestId);

  const started = performance.now();
  try {
    await next();
  } finally {
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const { protocol, tenantId } = ctx.state;
    const line = { method: ctx.method, path: ctx.path, status: ctx.status, ms, protocol, tenantId };
    ctx.state.log.debug(line, "request");
  }
}
