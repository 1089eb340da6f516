import type { ParameterizedContext } from "koa";
import type { Logger } from "../../logger.js";

/** What the HTTP middleware keeps on each request. */
export interface HttpState {
  /** The request id, echoed as `X-Request-Id` and on every log line. */
  requestId: string;
  /** A logger carrying the request id. */
  log: Logger;
  /** The parsed JSON body, when the request had one. */
  body?: unknown;
}

/** A Koa context with VBWD's request state. */
export type HttpContext = ParameterizedContext<HttpState>;
