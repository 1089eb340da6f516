import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { isAppError, type AppError } from "../../domain/app-error.js";
import { moduleLogger } from "../../logger.js";
import { httpStatusOf } from "../error-status.js";

const log = moduleLogger("gateway:graphql");

/** The `extensions` of a GraphQL error made from an `AppError`. */
export function appErrorExtensions(error: AppError): Record<string, unknown> {
  const extensions: Record<string, unknown> = {
    code: error.code,
    status: httpStatusOf[error.code],
  };
  if (error.details !== undefined) extensions.details = error.details;
  return extensions;
}

/**
 * Shapes an error for the caller: a command's `AppError` keeps its message and gains its code
 * and HTTP status; anything else a resolver threw is logged and masked as `internal_error`.
 * Errors of the GraphQL language itself (syntax, validation, coercion) are left as they are.
 */
export function formatGraphqlError(error: GraphQLError | Error): GraphQLError | Error {
  if (!(error instanceof GraphQLError)) return malformedRequest(error);
  const cause = error.originalError;
  if (cause === undefined || cause instanceof GraphQLError) return error;
  if (isAppError(cause) && cause.code !== "internal_error") {
    return rebuild(error, cause.message, appErrorExtensions(cause));
  }
  log.error({ err: cause, path: error.path }, "graphql resolver failed");
  return rebuild(error, "something went wrong on our side; it has been logged", {
    code: "internal_error",
    status: 500,
  });
}

/** The JSON form of a shaped error, as the WebSocket transport sends it. */
export function formattedGraphqlError(error: GraphQLError): GraphQLFormattedError {
  const formatted = formatGraphqlError(error);
  return formatted instanceof GraphQLError ? formatted.toJSON() : { message: formatted.message };
}

/**
 * graphql-http reports a request it cannot read (no query, variables that are not an object)
 * as a plain error, answered 400; it gets the matching code.
 */
function malformedRequest(error: Error): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { code: "malformed_request", status: httpStatusOf.malformed_request },
  });
}

/** A GraphQL error for a refusal before any operation ran (a body over the limit). */
export function transportError(error: AppError): GraphQLFormattedError {
  return { message: error.message, extensions: appErrorExtensions(error) };
}

function rebuild(
  error: GraphQLError,
  message: string,
  extensions: Record<string, unknown>,
): GraphQLError {
  return new GraphQLError(message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    extensions,
  });
}
