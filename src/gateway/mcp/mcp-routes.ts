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
import { createBookingMcpServer } from "./booking-mcp-server.js";
import { agentCaller, baseUrlOf, publicCaller, refuseRebinding } from "./endpoint-callers.js";
import { refuse, rpc } from "./json-rpc-refusal.js";
import type { McpCaller } from "./mcp-caller.js";
import { McpSessions } from "./mcp-sessions.js";
import { resourceMetadataFor } from "./resource-metadata.js";

/**
 * MCP (Streamable HTTP) at `/mcp` for agent and secret keys, and the public `/mcp/t/:tenantCode`
 * that acts with the widget's scope. Sessions live in this node's memory.
 */
export function mountMcp(router: Router<HttpState>, services: EngineServices): void {
  const sessions = new McpSessions();
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

/** Hands one request to its session's transport, opening a session on `initialize`. */
async function serveMcp(
  ctx: HttpContext,
  services: EngineServices,
  sessions: McpSessions,
  caller: McpCaller,
): Promise<void> {
  if (ctx.method === "GET") {
    // No standalone stream: every message travels on the stream of the request it answers.
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

  const transport = await transportFor(ctx, services, sessions, caller, body);
  if (!transport) return;
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

/** The transport of the request's session, or a new one for an `initialize` request. */
async function transportFor(
  ctx: HttpContext,
  services: EngineServices,
  sessions: McpSessions,
  caller: McpCaller,
  body: unknown,
): Promise<StreamableHTTPServerTransport | undefined> {
  const sessionId = ctx.get("mcp-session-id");
  if (sessionId !== "") {
    const session = sessions.find(sessionId, ctx.path);
    if (session && session.caller.credential === caller.credential) return session.transport;
    refuse(ctx, 404, rpc.noSession, "session not found: send initialize to start a new session");
    return undefined;
  }
  if (!isInitializeRequest(body)) {
    refuse(ctx, 400, rpc.invalidRequest, "no Mcp-Session-Id: send initialize first");
    return undefined;
  }
  if (caller.scope === "public" && !(await offersPublicBooking(services, caller))) {
    refuse(ctx, 404, rpc.refused, `tenant ${caller.tenantHint?.value} takes no public bookings`);
    return undefined;
  }
  return openSession(ctx.path, services, sessions, caller);
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

async function openSession(
  endpoint: string,
  services: EngineServices,
  sessions: McpSessions,
  caller: McpCaller,
): Promise<StreamableHTTPServerTransport> {
  const server = createBookingMcpServer(services, caller);
  const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
    sessionIdGenerator: () => randomUUID(),
    onsessioninitialized: (id) =>
      sessions.add(id, { transport, server, caller, endpoint, lastUsedAt: Date.now() }),
    onsessionclosed: (id) => sessions.forget(id),
  });
  await server.connect(transport);
  return transport;
}
