import { randomUUID } from "node:crypto";
import type Router from "@koa/router";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import type { EngineServices } from "../../commands/command.js";
import { executeCommand } from "../../commands/execute.js";
import { commands } from "../../commands/registry.js";
import { isAppError } from "../../domain/app-error.js";
import { httpStatusOf } from "../error-status.js";
import type { HttpContext, HttpState } from "../http/http-state.js";
import { readText } from "../http/json-body.js";
import { moduleLogger } from "../../logger.js";
import { createBookingMcpServer } from "./booking-mcp-server.js";
import { agentCaller, baseUrlOf, publicCaller, refuseRebinding } from "./endpoint-callers.js";
import { refuse, rpc } from "./json-rpc-refusal.js";
import type { McpCaller } from "./mcp-caller.js";
import {
  credentialHashOf,
  mcpSessionStore,
  type McpSessionRecord,
  type McpSessionStore,
} from "./mcp-sessions.js";
import { resourceMetadataFor } from "./resource-metadata.js";

const log = moduleLogger("gateway:mcp");

/**
 * MCP (Streamable HTTP) at `/mcp` for agent and secret keys, and the public `/mcp/t/:tenantCode`
 * that acts with the widget's scope. Sessions are kept in Redis when the engine has it (else
 * in this node's memory), and each request gets a server and transport of its own, so a
 * session's requests may land on any node.
 */
export function mountMcp(router: Router<HttpState>, services: EngineServices): void {
  const sessions = mcpSessionStore(
    services.redis,
    `${services.config.actors.clusterName}:mcp:session:`,
  );
  const metadataPaths = [
    "/.well-known/oauth-protected-resource/mcp",
    "/.well-known/oauth-protected-resource",
  ];
  for (const path of metadataPaths) {
    router.get(path, (ctx) => {
      ctx.body = resourceMetadataFor(baseUrlOf(ctx));
    });
  }

  router.all("/mcp", async (ctx) => {
    if (refuseRebinding(ctx, services)) return;
    const caller = await agentCaller(ctx, services);
    if (caller) await serveMcp(ctx, services, sessions, caller);
  });

  router.all("/mcp/t/:tenantCode", async (ctx) => {
    if (refuseRebinding(ctx, services)) return;
    const caller = publicCaller(ctx, ctx.params.tenantCode!);
    if (caller) await serveMcp(ctx, services, sessions, caller);
  });
}

/**
 * Serves one request of a session, opening the session on `initialize`. Every message
 * travels on the stream of the request it answers (there is no standalone stream), so a
 * session holds nothing but its record: any node can serve it with a fresh server.
 */
async function serveMcp(
  ctx: HttpContext,
  services: EngineServices,
  sessions: McpSessionStore,
  caller: McpCaller,
): Promise<void> {
  if (ctx.method === "GET") {
    ctx.set("Allow", "POST, DELETE");
    return refuse(
      ctx,
      405,
      rpc.invalidRequest,
      "use POST for messages and DELETE to end a session",
    );
  }
  if (ctx.method !== "POST" && ctx.method !== "DELETE") {
    ctx.set("Allow", "POST, DELETE");
    return refuse(ctx, 405, rpc.invalidRequest, `${ctx.method} is not allowed; use POST`);
  }
  const body =
    ctx.method === "POST" ? await readMessage(ctx, services.config.bodyLimitKb) : undefined;
  if (body === invalid) return;

  let session: { id: string; record: McpSessionRecord } | undefined;
  try {
    session = await sessionFor(ctx, services, sessions, caller, body);
  } catch (err) {
    if (isAppError(err)) throw err;
    log.warn({ err }, "MCP sessions unavailable");
    return refuse(ctx, 503, rpc.refused, "sessions are unavailable right now; retry shortly");
  }
  if (!session) return;
  const { id, record } = session;

  if (ctx.method === "DELETE") {
    await sessions.forget(id).catch((err: unknown) => log.warn({ err }, "could not end a session"));
    ctx.set("Mcp-Session-Id", id);
    ctx.status = 200;
    ctx.body = "";
    return;
  }

  const server = createBookingMcpServer(services, caller, {
    logLevel: record.logLevel,
    setLogLevel: (level) => sessions.update(id, { ...record, logLevel: level }),
  });
  // Stateless as far as the SDK goes: the session was checked above, and its id is named here.
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
  await server.connect(transport);
  ctx.res.once("close", () => void server.close().catch(() => undefined));
  ctx.set("Mcp-Session-Id", id);
  ctx.status = 200;
  ctx.respond = false;
  await transport.handleRequest(ctx.req, ctx.res, body);
}

const invalid = Symbol("invalid body");

/** The JSON-RPC message of a POST; a refusal has been answered when it returns `invalid`. */
async function readMessage(ctx: HttpContext, limitKb: number): Promise<unknown> {
  let text: string;
  try {
    text = await readText(ctx, limitKb * 1024, limitKb);
  } catch (err) {
    if (!isAppError(err)) throw err;
    refuse(ctx, httpStatusOf[err.code], rpc.invalidRequest, err.message);
    return invalid;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    refuse(ctx, 400, rpc.parseError, `parse error: ${(err as Error).message}`);
    return invalid;
  }
}

/**
 * The request's session, or a new one for an `initialize` request; undefined when the
 * request was refused (unknown session, another credential's, or no session yet).
 */
async function sessionFor(
  ctx: HttpContext,
  services: EngineServices,
  sessions: McpSessionStore,
  caller: McpCaller,
  body: unknown,
): Promise<{ id: string; record: McpSessionRecord } | undefined> {
  const sessionId = ctx.get("mcp-session-id");
  const credentialHash = credentialHashOf(caller.credential);
  if (sessionId !== "") {
    const record = await sessions.find(sessionId, ctx.path);
    if (!record || record.credentialHash !== credentialHash) {
      refuse(ctx, 404, rpc.noSession, "session not found: send initialize to start a new session");
      return undefined;
    }
    if (isInitializeRequest(body) || (Array.isArray(body) && body.some(isInitializeRequest))) {
      refuse(ctx, 400, rpc.invalidRequest, "this session is initialized already");
      return undefined;
    }
    return { id: sessionId, record };
  }
  if (!isInitializeRequest(body)) {
    refuse(ctx, 400, rpc.invalidRequest, "no Mcp-Session-Id: send initialize first");
    return undefined;
  }
  if (caller.scope === "public" && !(await offersPublicBooking(services, caller))) {
    refuse(ctx, 404, rpc.refused, `tenant ${caller.tenantHint?.value} takes no public bookings`);
    return undefined;
  }
  const record: McpSessionRecord = { endpoint: ctx.path, credentialHash, logLevel: "info" };
  const id = randomUUID();
  await sessions.add(id, record);
  return { id, record };
}

/** A tenant takes public bookings when its widget does: it has a live publishable key. */
async function offersPublicBooking(services: EngineServices, caller: McpCaller) {
  const { origins } = await executeCommand(services, commands.widgetOrigins, {
    input: { tenantCode: caller.tenantHint?.value },
    protocol: "mcp",
    ipAddress: caller.ipAddress,
  });
  return origins.length > 0;
}
