import type { Next } from "koa";
import { errors } from "../../domain/app-error.js";
import type { HttpContext } from "./http-state.js";

/** Every protocol the gateway tells apart; `X-Protocol` accepts exactly these names. */
export const protocols = [
  "rest",
  "graphql",
  "mcp",
  "agent-protocol",
  "a2a",
  "webhook",
  "socket.io",
  "widget",
] as const;

/** A protocol the gateway tells apart. */
export type Protocol = (typeof protocols)[number];

/** What the resolver looks at: nothing but the request line and its headers. */
export interface ProtocolProbe {
  method: string;
  path: string;
  /** Header names in lower case, as Node gives them. */
  headers: Record<string, string | string[] | undefined>;
}

const webhookSignatureHeaders = [
  "vbwd-signature",
  "webhook-signature",
  "stripe-signature",
  "x-hub-signature-256",
];

/**
 * The protocol a request speaks, first rule that matches: an explicit `X-Protocol`; the
 * GraphQL content type or path; MCP's headers or path; `X-Agent-Protocol` and the agent
 * paths; a signed call under `/webhooks/`; Socket.IO's path; then the widget's REST paths
 * and REST. An `X-Protocol` naming no known protocol is a malformed request.
 */
export function resolveProtocol(request: ProtocolProbe): Protocol {
  const explicit = headerOf(request, "x-protocol");
  if (explicit !== undefined) return namedProtocol(explicit);

  return (
    graphqlOf(request) ??
    mcpOf(request) ??
    agentOf(request) ??
    webhookOf(request) ??
    (startsPath(request.path, "/socket.io") ? "socket.io" : undefined) ??
    (request.path.startsWith("/v1/widget/") ? "widget" : "rest")
  );
}

function namedProtocol(name: string): Protocol {
  const wanted = name.trim().toLowerCase();
  const known = protocols.find((protocol) => protocol === wanted);
  if (known) return known;
  throw errors.malformed(`X-Protocol "${name}" is unknown; use one of: ${protocols.join(", ")}`);
}

function graphqlOf(request: ProtocolProbe): Protocol | undefined {
  const contentType = headerOf(request, "content-type") ?? "";
  if (/^application\/graphql(\s*;|$)/i.test(contentType)) return "graphql";
  return startsPath(request.path, "/graphql") ? "graphql" : undefined;
}

function mcpOf(request: ProtocolProbe): Protocol | undefined {
  if (headerOf(request, "mcp-session-id") !== undefined) return "mcp";
  if (headerOf(request, "mcp-protocol-version") !== undefined) return "mcp";
  // Streamable HTTP clients accept an event stream; the path alone also names the adapter.
  return startsPath(request.path, "/mcp") ? "mcp" : undefined;
}

function agentOf(request: ProtocolProbe): Protocol | undefined {
  const declared = headerOf(request, "x-agent-protocol")?.trim().toLowerCase();
  if (declared === "a2a") return "a2a";
  if (declared !== undefined) return "agent-protocol";
  if (startsPath(request.path, "/ap")) return "agent-protocol";
  if (startsPath(request.path, "/a2a")) return "a2a";
  return request.path === "/.well-known/agent-card.json" ? "a2a" : undefined;
}

function webhookOf(request: ProtocolProbe): Protocol | undefined {
  if (!request.path.startsWith("/webhooks/")) return undefined;
  // Tenants' inbound webhooks: the path alone says so, signed or not (an unsigned one is refused).
  if (request.path.startsWith("/webhooks/in/")) return "webhook";
  const signed = webhookSignatureHeaders.some((name) => headerOf(request, name) !== undefined);
  return signed ? "webhook" : undefined;
}

/** True when `path` is `prefix` itself or lies under it. */
function startsPath(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}/`);
}

function headerOf(request: ProtocolProbe, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first === "" ? undefined : first;
}

const counts = new Map<string, Map<Protocol, number>>();

/** Requests this process answered, by tenant id (`anonymous` when none) and protocol. */
export function requestCounts(): Map<string, Map<Protocol, number>> {
  return counts;
}

function countRequest(tenantId: string | undefined, protocol: Protocol): void {
  const key = tenantId ?? "anonymous";
  let byProtocol = counts.get(key);
  if (!byProtocol) counts.set(key, (byProtocol = new Map()));
  byProtocol.set(protocol, (byProtocol.get(protocol) ?? 0) + 1);
}

/**
 * Resolves each request's protocol into `ctx.state.protocol`, then, once it is answered,
 * counts it per tenant and protocol (the request's log line, written when it ends, names both).
 */
export async function trackProtocol(ctx: HttpContext, next: Next): Promise<void> {
  ctx.state.protocol = resolveProtocol({
    method: ctx.method,
    path: ctx.path,
    headers: ctx.headers,
  });
  try {
    await next();
  } finally {
    countRequest(ctx.state.tenantId, ctx.state.protocol);
  }
}
