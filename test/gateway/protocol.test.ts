import { suite } from "uvu";
import * as assert from "uvu/assert";
import { isAppError } from "../../src/domain/app-error.js";
import { resolveProtocol, type ProtocolProbe } from "../../src/gateway/http/protocol.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { signUpTenant, startTestEngine, type TestEngine } from "../support/engine.js";
import { requestCounts } from "../../src/gateway/http/protocol.js";

const probe = (
  path: string,
  headers: ProtocolProbe["headers"] = {},
  method = "POST",
): ProtocolProbe => ({ method, path, headers });

const resolver = suite("gateway: protocol resolver");

resolver("an explicit X-Protocol wins over every other sign", () => {
  const request = probe("/mcp", { "x-protocol": "GraphQL", "mcp-session-id": "s1" });
  assert.is(resolveProtocol(request), "graphql");
  assert.is(resolveProtocol(probe("/api/v1/tenant", { "x-protocol": "a2a" })), "a2a");
});

resolver("an unknown X-Protocol is a malformed request", () => {
  try {
    resolveProtocol(probe("/api/v1/tenant", { "x-protocol": "carrier-pigeon" }));
    assert.unreachable("resolved an unknown protocol");
  } catch (err) {
    assert.ok(isAppError(err));
    assert.is(err.code, "malformed_request");
  }
});

resolver("the GraphQL content type or path means graphql, before MCP headers", () => {
  const typed = probe("/anything", { "content-type": "application/graphql; charset=utf-8" });
  assert.is(resolveProtocol(typed), "graphql");
  assert.is(resolveProtocol(probe("/graphql", { "mcp-session-id": "s1" })), "graphql");
  assert.is(resolveProtocol(probe("/graphqlish")), "rest");
});

resolver("MCP headers or the /mcp path mean mcp, before agent signs", () => {
  assert.is(resolveProtocol(probe("/ap/v1/agent/tasks", { "mcp-session-id": "s1" })), "mcp");
  assert.is(resolveProtocol(probe("/x", { "mcp-protocol-version": "2025-06-18" })), "mcp");
  const streaming = probe("/mcp", { accept: "application/json, text/event-stream" });
  assert.is(resolveProtocol(streaming), "mcp");
  assert.is(resolveProtocol(probe("/mcp/t/clinic", {}, "GET")), "mcp");
});

resolver("X-Agent-Protocol and the agent paths mean agent-protocol or a2a", () => {
  assert.is(
    resolveProtocol(probe("/api/v1/bookings", { "x-agent-protocol": "v1" })),
    "agent-protocol",
  );
  assert.is(resolveProtocol(probe("/api/v1/bookings", { "x-agent-protocol": "A2A" })), "a2a");
  assert.is(resolveProtocol(probe("/ap/v1/agent/tasks")), "agent-protocol");
  assert.is(resolveProtocol(probe("/a2a")), "a2a");
  assert.is(resolveProtocol(probe("/.well-known/agent-card.json", {}, "GET")), "a2a");
});

resolver("agent signs win over webhook signatures", () => {
  const both = probe("/webhooks/stripe", { "x-agent-protocol": "v1", "stripe-signature": "t=1" });
  assert.is(resolveProtocol(both), "agent-protocol");
});

resolver("a signed call under /webhooks/ is a webhook; a signature elsewhere is not", () => {
  for (const header of ["webhook-signature", "stripe-signature", "x-hub-signature-256"]) {
    assert.is(resolveProtocol(probe("/webhooks/stripe", { [header]: "sig" })), "webhook");
  }
  assert.is(resolveProtocol(probe("/api/v1/bookings", { "stripe-signature": "sig" })), "rest");
  assert.is(resolveProtocol(probe("/webhooks/stripe")), "rest");
});

resolver("VBWD-Signature and the inbound webhook path mean webhook", () => {
  const signed = probe("/webhooks/in/whs_1", { "vbwd-signature": "t=1,v1=ab" });
  assert.is(resolveProtocol(signed), "webhook");
  assert.is(resolveProtocol(probe("/webhooks/in/whs_1")), "webhook");
  assert.is(resolveProtocol(probe("/webhooks/other", { "vbwd-signature": "t=1" })), "webhook");
  assert.is(resolveProtocol(probe("/api/v1/bookings", { "vbwd-signature": "t=1" })), "rest");
});

resolver("Socket.IO's path, the widget's paths, then REST", () => {
  assert.is(resolveProtocol(probe("/socket.io/", {}, "GET")), "socket.io");
  assert.is(resolveProtocol(probe("/v1/widget/clinic/config", {}, "GET")), "widget");
  assert.is(resolveProtocol(probe("/api/v1/bookings")), "rest");
  assert.is(resolveProtocol(probe("/", {}, "GET")), "rest");
});

resolver.run();

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

const [sqlite] = dialectsUnderTest();
const middleware = suite<Context>("gateway: protocol middleware");

middleware.before(async (context) => {
  context.scratch = await sqlite!.create("protocol");
  context.engine = await startTestEngine(context.scratch.target);
});

middleware.after(async ({ engine, scratch }) => {
  await engine.stop();
  await scratch.drop();
});

middleware("refuses an unknown X-Protocol with 400 malformed_request", async ({ engine }) => {
  const answer = await engine.api("GET", "/api/v1/tenant", {
    headers: { "x-protocol": "carrier-pigeon" },
  });
  assert.is(answer.status, 400);
  assert.is(answer.body.error.code, "malformed_request");
});

middleware("counts each tenant's requests per protocol", async ({ engine }) => {
  const tenant = await signUpTenant(engine, "protocol-count");
  const before = requestCounts().get(tenant.id)?.get("rest") ?? 0;
  for (let n = 0; n < 3; n++) {
    assert.is((await engine.api("GET", "/api/v1/tenant", { token: tenant.secretKey })).status, 200);
  }
  const widget = await engine.api("GET", `/v1/widget/${tenant.code}/config`, {
    token: tenant.publishableKey,
  });
  assert.is(widget.status, 200);

  const counted = requestCounts().get(tenant.id);
  assert.is(counted?.get("rest"), before + 3);
  assert.is(counted?.get("widget"), 1);
});

middleware.run();
