import type { ParameterizedContext } from "koa";
import type { Logger } from "../../logger.js";
import type { Protocol } from "./protocol.js";

/** What the HTTP middleware keeps on each request. */
export interface HttpState {
  /** The request id, echoed as `X-Request-Id` and on every log line. */
  requestId: string;
  /** A logger carrying the request id. */
  log: Logger;
  /** The parsed JSON body, when the request had one. */
  body?: unknown;
  /** The protocol the request speaks, resolved before any adapter runs. */
  protocol?: Protocol;
  /** The calling credential's tenant, once the rate limiter has identified it. */
  tenantId?: string;
}

/** A Koa context with VBWD's request state. */
export type HttpContext = ParameterizedContext<HttpState>;
