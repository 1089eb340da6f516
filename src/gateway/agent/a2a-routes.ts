import { Readable } from "node:stream";
import type Router from "@koa/router";
import { AgentCard } from "@a2a-js/sdk";
import { isLegacyJsonRpcMethod } from "@a2a-js/sdk/compat/v0_3";
import { LegacyJsonRpcTransportHandler } from "@a2a-js/sdk/compat/v0_3/server";
import {
  DefaultRequestHandler,
  JsonRpcTransportHandler,
  ServerCallContext,
  validateVersion,
  type User,
} from "@a2a-js/sdk/server";
import type { EngineServices } from "../../commands/command.js";
import { commands } from "../../commands/registry.js";
import { isAppError, type AppError } from "../../domain/app-error.js";
import { httpStatusOf } from "../error-status.js";
import type { HttpContext, HttpState } from "../http/http-state.js";
import { credentialOf } from "../http/request-identity.js";
import { a2aPath, agentCard, legacyAgentCard } from "./a2a-agent-card.js";
import {
  BookingExecutor,
  callerOf,
  callerStateKey,
  type A2aCaller,
} from "./a2a-booking-executor.js";
import { DatabaseTaskStore } from "./a2a-task-store.js";
import { readJsonBody } from "./agent-bodies.js";
import { runCommand } from "./booking-agent.js";

/** A JSON-RPC request as far as routing needs it. */
interface RpcRequest {
  id?: string | number | null;
  method?: unknown;
}

/**
 * A2A: the agent card at `/.well-known/agent-card.json` (v1.0 for clients that ask for it
 * with `A2A-Version`, v0.3 otherwise, and always at `/.well-known/agent.json`) and the
 * JSON-RPC endpoint at `/a2a`, which takes v1.0 methods (`SendMessage`, `GetTask`,
 * `CancelTask`) and their v0.3 names (`message/send`, `tasks/get`, `tasks/cancel`).
 * Every call carries the tenant's agent (or secret) key; tasks are kept per tenant in the
 * database.
 */
export function mountA2a(router: Router<HttpState>, services: EngineServices): void {
  // The handler's card decides versions and capabilities; the served card names the host.
  const card = agentCard("http://localhost");
  // Tasks are kept in the database, scoped by the caller's tenant, whatever tenant the
  // request itself names; any node serves them.
  const taskStore = new DatabaseTaskStore(services.db, (context) => callerOf(context).tenantId);
  const handler = new DefaultRequestHandler(card, taskStore, new BookingExecutor(services));
  const transports = {
    current: new JsonRpcTransportHandler(handler),
    legacy: new LegacyJsonRpcTransportHandler(handler),
  };

  router.get(["/.well-known/agent-card.json", "/.well-known/agent.json"], (ctx) => {
    const base = `${ctx.protocol}://${ctx.host}`;
    const wantsCurrent = ctx.path.endsWith("agent-card.json") && majorVersionOf(ctx) >= 1;
    ctx.set("Vary", "A2A-Version");
    ctx.set("Cache-Control", "public, max-age=300");
    ctx.body = wantsCurrent ? AgentCard.toJSON(agentCard(base)) : legacyAgentCard(base);
  });

  router.post(a2aPath, async (ctx) => {
    const body = await readRpcBody(ctx, services.config.bodyLimitKb);
    if ("error" in body) return answerRpcError(ctx, null, body.error);
    const legacy =
      typeof body.request.method === "string" && isLegacyJsonRpcMethod(body.request.method);
    let context: ServerCallContext;
    try {
      const caller = await identifyCaller(services, ctx);
      context = callContextOf(caller, ctx, legacy);
      validateVersion(context.requestedVersion, card, "JSONRPC");
    } catch (err) {
      if (isAppError(err)) return answerRpcError(ctx, body.request.id ?? null, err);
      const mapped = JsonRpcTransportHandler.mapToJSONRPCError(err);
      ctx.body = { jsonrpc: "2.0", id: body.request.id ?? null, error: mapped };
      return;
    }
    const transport = legacy ? transports.legacy : transports.current;
    const answer = await transport.handle(body.request as Record<string, unknown>, context);
    if (isAsyncIterable(answer)) {
      ctx.type = "text/event-stream";
      ctx.set("Cache-Control", "no-cache");
      ctx.body = Readable.from(serverSentEvents(answer));
      return;
    }
    ctx.body = answer;
  });
}

/** The caller and its tenant; a missing or unknown credential fails before any A2A work. */
async function identifyCaller(services: EngineServices, ctx: HttpContext): Promise<A2aCaller> {
  const caller = {
    credential: credentialOf(ctx),
    protocol: "a2a",
    ipAddress: ctx.ip,
    requestId: ctx.state.requestId,
  };
  const tenant = await runCommand<{ id: string }>(services, caller, commands.getTenant, {});
  return { ...caller, tenantId: tenant.id };
}

function callContextOf(caller: A2aCaller, ctx: HttpContext, legacy: boolean): ServerCallContext {
  const user: User = { isAuthenticated: true, userName: caller.tenantId };
  const version = ctx.get("a2a-version") || (legacy ? "0.3" : "1.0");
  return new ServerCallContext({
    user,
    requestedVersion: version,
    state: new Map<string, unknown>([[callerStateKey, caller]]),
  });
}

async function readRpcBody(
  ctx: HttpContext,
  limitKb: number,
): Promise<{ request: RpcRequest } | { error: AppError }> {
  try {
    const parsed = await readJsonBody(ctx, limitKb);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return { request: { id: null, method: undefined } };
    }
    return { request: parsed as RpcRequest };
  } catch (err) {
    if (isAppError(err)) return { error: err };
    throw err;
  }
}

/** JSON-RPC error codes for the engine's own refusals (the server-defined range). */
const rpcCodeOf = (err: AppError) =>
  err.code === "malformed_request" ? -32700 : err.code === "invalid_input" ? -32602 : -32000;

/** An engine refusal in JSON-RPC form, with the HTTP status the engine gives it. */
function answerRpcError(ctx: HttpContext, id: RpcRequest["id"], err: AppError): void {
  ctx.status = httpStatusOf[err.code];
  ctx.body = {
    jsonrpc: "2.0",
    id: id ?? null,
    error: { code: rpcCodeOf(err), message: err.message, data: { code: err.code } },
  };
}

function majorVersionOf(ctx: HttpContext): number {
  const major = Number.parseInt(ctx.get("a2a-version").split(".")[0] ?? "", 10);
  return Number.isFinite(major) ? major : 0;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === "object" && value !== null && Symbol.asyncIterator in value;
}

async function* serverSentEvents(events: AsyncIterable<unknown>): AsyncGenerator<string> {
  for await (const event of events) yield `data: ${JSON.stringify(event)}\n\n`;
}
