import type Router from "@koa/router";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import type { ExecutionResult, GraphQLError } from "graphql";
import { validate, specifiedRules } from "graphql";
import { createHandler, type Request as GraphqlRequest } from "graphql-http";
import { useServer, type Extra } from "graphql-ws/use/ws";
import type { Context as WsContext } from "graphql-ws";
import { WebSocketServer } from "ws";
import type { EngineServices } from "../../commands/command.js";
import { errors, isAppError, type AppError } from "../../domain/app-error.js";
import { httpStatusOf } from "../error-status.js";
import type { HttpContext, HttpState } from "../http/http-state.js";
import { readText } from "../http/json-body.js";
import { credentialOf } from "../http/request-identity.js";
import { AvailabilityRelay } from "./availability-relay.js";
import { AvailabilityWatchers } from "./availability-stream.js";
import { headerTenantHint, type GraphqlCaller } from "./graphql-caller.js";
import { formatGraphqlError, formattedGraphqlError, transportError } from "./graphql-errors.js";
import { graphqlSchema } from "./graphql-schema.js";
import { queryLimitRules } from "./query-limits.js";

/** Where GraphQL is served, over HTTP and WebSocket alike. */
const graphqlPath = "/graphql";

/**
 * GraphQL over HTTP at `/graphql` (GET and POST, as the GraphQL-over-HTTP spec says):
 * `Authorization: Bearer …` is the credential of every field, `X-Tenant-ID` names the tenant.
 */
export function mountGraphql(router: Router<HttpState>, services: EngineServices): void {
  const handle = createHandler<HttpContext, undefined, GraphqlCaller>({
    schema: graphqlSchema,
    context: (request) => callerOfRequest(services, request.raw),
    validationRules: queryLimitRules(),
    formatError: formatGraphqlError,
  });

  const serve = async (ctx: HttpContext) => {
    let body: string | null;
    try {
      body = ctx.method === "POST" ? await readBody(ctx, services.config.bodyLimitKb) : null;
    } catch (error) {
      if (!isAppError(error)) throw error;
      return answerRefusal(ctx, error);
    }
    const [text, init] = await handle({
      method: ctx.method,
      url: ctx.url,
      headers: ctx.headers,
      body,
      raw: ctx,
      context: undefined,
    } satisfies GraphqlRequest<HttpContext, undefined>);
    ctx.status = init.status;
    for (const [name, value] of Object.entries(init.headers ?? {})) ctx.set(name, value);
    // An empty string, not null: a null body would turn the status into 204.
    ctx.body = text ?? "";
  };
  router.get(graphqlPath, serve);
  router.post(graphqlPath, serve);
}

/**
 * GraphQL subscriptions (graphql-ws) on the engine's HTTP server, path `/graphql`. The
 * credential comes in the `connection_init` payload (`{ authorization: "Bearer …" }` or
 * `{ token }`); `X-Tenant-ID` on the upgrade or `{ tenant }` names the tenant. Upgrades to
 * other paths than Socket.IO's are refused here.
 */
export function attachGraphqlSubscriptions(
  server: Server,
  services: EngineServices,
): { close(): Promise<void> } {
  // Changes committed on any node reach this node's subscribers (through Redis when set).
  const relay = new AvailabilityRelay(
    services.feed,
    services.redis,
    `${services.config.actors.clusterName}:availability`,
  );
  const watchers = new AvailabilityWatchers(relay);
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: services.config.bodyLimitKb * 1024,
  });
  const rules = [...specifiedRules, ...queryLimitRules()];
  const subscriptions = useServer<Record<string, unknown>>(
    {
      schema: graphqlSchema,
      isProd: true,
      validate: (schema, document) => validate(schema, document, rules),
      context: (ctx) => callerOfConnection(services, watchers, ctx),
      onNext: (_ctx, _id, _payload, _args, result) => formatResult(result),
      onError: (_ctx, _id, _payload, failures) => failures.map(formattedGraphqlError),
    },
    sockets,
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    if (path === graphqlPath) {
      sockets.handleUpgrade(request, socket, head, (ws) => sockets.emit("connection", ws, request));
    } else if (!path.startsWith("/socket.io/")) {
      // Socket.IO leaves other paths alone; nothing else on this server takes upgrades.
      socket.destroy();
    }
  };
  server.on("upgrade", onUpgrade);

  return {
    async close() {
      server.off("upgrade", onUpgrade);
      watchers.close();
      relay.close();
      await subscriptions.dispose();
    },
  };
}

/** The caller of an HTTP request; a credential in another scheme fails every field. */
function callerOfRequest(services: EngineServices, ctx: HttpContext): GraphqlCaller {
  let credential: string | undefined;
  let credentialProblem: AppError | undefined;
  try {
    credential = credentialOf(ctx);
  } catch (error) {
    if (!isAppError(error)) throw error;
    credentialProblem = error;
  }
  return {
    services,
    credential,
    credentialProblem,
    tenantHint: headerTenantHint(ctx.get("x-tenant-id")),
    browserOrigin: ctx.get("origin") || undefined,
    ipAddress: ctx.ip,
    requestId: ctx.state.requestId,
  };
}

/** The caller of a WebSocket connection, from its `connection_init` payload. */
function callerOfConnection(
  services: EngineServices,
  watchers: AvailabilityWatchers,
  ctx: WsContext<Record<string, unknown>, Extra>,
): GraphqlCaller {
  const params = ctx.connectionParams ?? {};
  const { request } = ctx.extra;
  const { credential, problem } = connectionCredential(params);
  return {
    services,
    credential,
    credentialProblem: problem,
    tenantHint: headerTenantHint(request.headers["x-tenant-id"] ?? params.tenant),
    browserOrigin: request.headers.origin,
    ipAddress: request.socket.remoteAddress,
    watchers,
  };
}

function connectionCredential(params: Record<string, unknown>): {
  credential?: string;
  problem?: AppError;
} {
  const { authorization, token } = params;
  if (typeof authorization === "string" && authorization.trim() !== "") {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match ? { credential: match[1] } : { problem: errors.invalidCredentials() };
  }
  if (typeof token === "string" && token.trim() !== "") return { credential: token.trim() };
  return {};
}

function formatResult(result: ExecutionResult) {
  if (!result.errors) return undefined;
  return {
    ...result,
    errors: result.errors.map((error: GraphQLError) => formattedGraphqlError(error)),
  };
}

/** The body of a POST, refusing (413) past the configured limit without reading further. */
async function readBody(ctx: HttpContext, limitKb: number): Promise<string> {
  const limit = limitKb * 1024;
  if ((ctx.request.length ?? 0) > limit) throw errors.payloadTooLarge(limitKb);
  return readText(ctx, limit, limitKb);
}

/** A refusal before GraphQL saw the request, in GraphQL's error form. */
function answerRefusal(ctx: HttpContext, error: AppError): void {
  ctx.status = httpStatusOf[error.code];
  ctx.set("Connection", "close");
  ctx.body = { errors: [transportError(error)] };
}
