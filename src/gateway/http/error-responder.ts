import type { Next } from "koa";
import { AppError, errors, isAppError } from "../../domain/app-error.js";
import { httpStatusOf } from "../error-status.js";
import type { HttpContext } from "./http-state.js";

/** The body of every error answer. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/**
 * Turns whatever a request threw into the one documented error shape. Callers' mistakes keep
 * their 4xx; anything else is logged with its stack and answered as a bare 500.
 */
export async function respondWithErrors(ctx: HttpContext, next: Next): Promise<void> {
  try {
    await next();
    if (ctx.status === 404 && ctx.body === undefined) {
      throw errors.routeNotFound(ctx.method, ctx.path);
    }
  } catch (err) {
    const appError = toAppError(err);
    const status = httpStatusOf[appError.code];
    if (status >= 500) ctx.state.log.error({ err }, "request failed");
    else ctx.state.log.debug({ code: appError.code }, "request refused");

    ctx.status = status;
    ctx.body = errorBody(appError);
    if (appError.code === "method_not_allowed" && isHttpError(err)) {
      const allow = err.headers?.["allow"];
      if (allow) ctx.set("Allow", allow);
    }
  }
}

/** The error shape for an `AppError`. */
export function errorBody(error: AppError): ErrorBody {
  const body: ErrorBody = { error: { code: error.code, message: error.message } };
  if (error.details !== undefined) body.error.details = error.details;
  return body;
}

interface HttpLikeError {
  status: number;
  expose?: boolean;
  message: string;
  headers?: Record<string, string>;
}

function isHttpError(err: unknown): err is HttpLikeError {
  return (
    typeof err === "object" && err !== null && typeof (err as HttpLikeError).status === "number"
  );
}

function toAppError(err: unknown): AppError {
  if (isAppError(err)) return err;
  if (!isHttpError(err) || err.status >= 500 || err.expose === false) {
    return new AppError("internal_error", "something went wrong on our side; it has been logged");
  }
  switch (err.status) {
    case 404:
      return new AppError("not_found", err.message);
    case 405:
      return new AppError("method_not_allowed", err.message);
    case 413:
      return new AppError("payload_too_large", err.message);
    case 415:
      return new AppError("unsupported_media_type", err.message);
    default:
      return new AppError("malformed_request", err.message);
  }
}
