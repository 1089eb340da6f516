import { isActorError } from "../../actors/index.js";
import { AppError } from "../domain/app-error.js";

/**
 * Asks an actor and turns the runtime's own failures into `AppError`s: retryable ones (no
 * owner yet, timeout, moved) are `unavailable` with the reason; the actor's errors pass as is.
 */
export async function askActor<Reply>(work: Promise<Reply>): Promise<Reply> {
  try {
    return await work;
  } catch (err) {
    if (!isActorError(err)) throw err;
    const code = err.retryable ? "unavailable" : "internal_error";
    throw new AppError(code, err.message, { reason: err.code, retryable: err.retryable });
  }
}
