import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { Redis } from "ioredis";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { rebindingRefusal } from "../../src/gateway/mcp/host-guard.js";
import { createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";
import { redisUrl, warnSkipped } from "../support/services.js";

/** A tenant with an agent key and one calendar offering one service. */
interface AgentTenant extends TestTenant {
  agentKey: string;
  calendarId: string;
  serviceId: string;
}

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  clinic: AgentTenant;
  other: AgentTenant;
  clients: Client[];
}

const initialize = {
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: {
    protocolVersion: "2025-06-18",
    capabilities: {},
    clientInfo: { name: "raw-test", version: "1.0.0" },
  },
};

async function agentTenant(engine: TestEngine, code: string): Promise<AgentTenant> {
  const tenant = await signUpTenant(engine, code);
  const offer = await createOffer(engine, tenant);
  const key = await engine.api("POST", "/api/v1/keys", {
    token: tenant.secretKey,
    body: { kind: "agent" },
  });
  if (key.status !== 201) throw new Error(`agent key: ${JSON.stringify(key.body)}`);
  return { ...tenant, ...offer, agentKey: key.body.key as string };
}

async function connect(context: Context, path: string, token?: string): Promise<Client> {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
  const transport = new StreamableHTTPClientTransport(new URL(context.engine.url + path), {
    requestInit: { headers },
  });
  const client = new Client({ name: "vbwd-test", version: "1.0.0" });
  await client.connect(transport);
  context.clients.push(client);
  return client;
}

async function call(client: Client, name: string, args: Record<string, unknown> = {}) {
  return (await client.callTool({ name, arguments: args })) as CallToolResult;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any field
function structured(result: CallToolResult): any {
  if (result.isError) throw new Error(`tool refused: ${JSON.stringify(result.content)}`);
  return result.structuredContent;
}

function textOf(result: CallToolResult): string {
  return result.content.map((part) => (part.type === "text" ? part.text : "")).join("\n");
}

function textContentOf(content: object | undefined): string {
  return content && "text" in content ? String(content.text) : "";
}

function rawPost(base: string, path: string, headers: Record<string, string> = {}) {
  return fetch(base + path, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body: JSON.stringify(initialize),
  });
}

for (const dialect of dialectsUnderTest()) {
  const mcp = suite<Context>(`gateway: MCP (${dialect.name})`);

  mcp.before(async (context) => {
    context.scratch = await dialect.create("mcp");
    context.engine = await startTestEngine(context.scratch.target);
    context.clinic = await agentTenant(context.engine, "mcp-clinic");
    context.other = await agentTenant(context.engine, "mcp-other");
    context.clients = [];
  });

  mcp.after(async ({ engine, scratch, clients }) => {
    await Promise.all(clients.map((client) => client.close()));
    await engine.stop();
    await scratch.drop();
  });

  mcp("lists the booking tools to an agent key", async (context) => {
    const client = await connect(context, "/mcp", context.clinic.agentKey);
    const { tools } = await client.listTools();
    const names = tools.map((tool) => tool.name).sort();
    assert.equal(names, [
      "book_appointment",
      "cancel_booking",
      "find_available_slots",
      "get_booking",
      "hold_slot",
      "list_services",
      "release_hold",
      "reschedule_booking",
    ]);
    const book = tools.find((tool) => tool.name === "book_appointment")!;
    assert.ok(book.inputSchema.properties?.["customer"], "book_appointment takes a customer");
    assert.equal(book.inputSchema.required?.slice().sort(), [
      "calendarId",
      "customer",
      "serviceId",
      "start",
    ]);
  });

  mcp("finds, holds, books, reads and cancels a booking", async (context) => {
    const { clinic, engine } = context;
    const client = await connect(context, "/mcp", clinic.agentKey);
    const services = structured(await call(client, "list_services"));
    assert.equal(
      services.data.map((s: { id: string }) => s.id),
      [clinic.serviceId],
    );

    const start = slotAt("10:00");
    const slots = structured(
      await call(client, "find_available_slots", {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        from: slotAt("09:00"),
        to: slotAt("12:00"),
      }),
    );
    assert.ok(slots.slots.some((slot: { start: string }) => slot.start === start));

    const hold = structured(
      await call(client, "hold_slot", {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        start,
      }),
    );
    assert.match(hold.id, /^hld_/);
    const booked = structured(
      await call(client, "book_appointment", {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        start,
        holdId: hold.id,
        customer: { name: "Ada Lovelace", email: "ada@example.org" },
      }),
    );
    assert.is(booked.status, "confirmed");

    const read = await call(client, "get_booking", { bookingId: booked.id });
    const rest = await engine.api("GET", `/api/v1/bookings/${booked.id}`, {
      token: clinic.secretKey,
    });
    assert.equal(structured(read), rest.body);
    assert.equal(JSON.parse(textOf(read)), rest.body, "the text content carries the same JSON");

    const cancelled = structured(await call(client, "cancel_booking", { bookingId: booked.id }));
    assert.is(cancelled.status, "cancelled");
    const after = await engine.api("GET", `/api/v1/bookings/${booked.id}`, {
      token: clinic.secretKey,
    });
    assert.is(after.body.status, "cancelled");
  });

  mcp("a taken slot comes back as isError telling the model what to do", async (context) => {
    const { clinic } = context;
    const client = await connect(context, "/mcp", clinic.agentKey);
    const booking = {
      calendarId: clinic.calendarId,
      serviceId: clinic.serviceId,
      start: slotAt("11:00"),
      customer: { name: "First", email: "first@example.org" },
    };
    structured(await call(client, "book_appointment", booking));
    const second = await call(client, "book_appointment", {
      ...booking,
      customer: { name: "Second", email: "second@example.org" },
    });
    assert.is(second.isError, true);
    assert.match(textOf(second), "slot_unavailable");
    assert.match(textOf(second), "find_available_slots");
  });

  mcp("bad arguments are an error result and change nothing", async (context) => {
    const { clinic, engine } = context;
    const client = await connect(context, "/mcp", clinic.agentKey);
    const refused = await call(client, "book_appointment", {
      calendarId: clinic.calendarId,
      serviceId: clinic.serviceId,
      start: "tomorrow at ten",
      customer: { name: "Nobody", email: "nobody@example.org" },
    });
    assert.is(refused.isError, true);
    assert.match(textOf(refused), "invalid_input");
    const listed = await engine.api("GET", "/api/v1/bookings", { token: clinic.secretKey });
    assert.not.ok(
      listed.body.data.some((b: { customer: { name: string } }) => b.customer.name === "Nobody"),
    );
  });

  mcp("no key or a bad key is a 401 pointing at the resource metadata", async ({ engine }) => {
    const noKey: Record<string, string> = {};
    for (const headers of [noKey, { authorization: "Bearer ak_not_a_real_key" }]) {
      const answer = await rawPost(engine.url, "/mcp", headers);
      assert.is(answer.status, 401);
      const challenge = answer.headers.get("www-authenticate") ?? "";
      assert.ok(
        challenge.includes(
          `resource_metadata="${engine.url}/.well-known/oauth-protected-resource/mcp"`,
        ),
        challenge,
      );
      const body = (await answer.json()) as { error: { data: { code: string } } };
      assert.is(
        body.error.data.code,
        headers.authorization ? "invalid_credentials" : "unauthenticated",
      );
    }
  });

  mcp("a publishable key cannot use the agent endpoint", async ({ engine, clinic }) => {
    const answer = await rawPost(engine.url, "/mcp", {
      authorization: `Bearer ${clinic.publishableKey}`,
    });
    assert.is(answer.status, 403);
  });

  mcp("another tenant's booking id is not found", async (context) => {
    const { clinic, other } = context;
    const owner = await connect(context, "/mcp", clinic.agentKey);
    const booked = structured(
      await call(owner, "book_appointment", {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        start: slotAt("13:00"),
        customer: { name: "Private", email: "private@example.org" },
      }),
    );
    const stranger = await connect(context, "/mcp", other.agentKey);
    for (const tool of ["get_booking", "cancel_booking"]) {
      const answer = await call(stranger, tool, { bookingId: booked.id });
      assert.is(answer.isError, true);
      assert.match(textOf(answer), "not_found");
      assert.not.match(textOf(answer), "Private");
    }
    try {
      await stranger.readResource({ uri: `vbwd://bookings/${booked.id}` });
      assert.unreachable("another tenant's booking was readable");
    } catch (err) {
      assert.match((err as Error).message, "was not found");
    }
    const still = await call(owner, "get_booking", { bookingId: booked.id });
    assert.is(structured(still).status, "confirmed");
  });

  mcp("reads calendars as resources and completes their ids", async (context) => {
    const { clinic } = context;
    const client = await connect(context, "/mcp", clinic.agentKey);
    const { resources } = await client.listResources();
    assert.equal(
      resources.map((r) => r.uri),
      ["vbwd://calendars"],
    );
    const listed = await client.readResource({ uri: "vbwd://calendars" });
    const calendars = JSON.parse(textContentOf(listed.contents[0]));
    assert.equal(
      calendars.data.map((c: { id: string }) => c.id),
      [clinic.calendarId],
    );
    const one = await client.readResource({ uri: `vbwd://calendars/${clinic.calendarId}` });
    assert.is(JSON.parse(textContentOf(one.contents[0])).id, clinic.calendarId);

    const completed = await client.complete({
      ref: { type: "ref/resource", uri: "vbwd://calendars/{id}" },
      argument: { name: "id", value: "cal_" },
    });
    assert.equal(completed.completion.values, [clinic.calendarId]);
    const services = await client.complete({
      ref: { type: "ref/prompt", name: "book_appointment" },
      argument: { name: "service", value: "" },
    });
    assert.equal(services.completion.values, [clinic.serviceId]);
  });

  mcp("the booking prompt walks through find, hold and book", async (context) => {
    const client = await connect(context, "/mcp", context.clinic.agentKey);
    const prompt = await client.getPrompt({
      name: "book_appointment",
      arguments: { service: "consultation", date: "2030-01-07", customer: "Ada" },
    });
    const text = String((prompt.messages[0]!.content as { text: string }).text);
    const order = ["find_available_slots", "hold_slot", "book_appointment"].map((step) =>
      text.indexOf(step),
    );
    assert.ok(
      order.every((at, i) => at > 0 && (i === 0 || at > order[i - 1]!)),
      text,
    );
    assert.match(text, "2030-01-07");
  });

  mcp("a tool call sends a log message at the level asked for", async (context) => {
    const client = await connect(context, "/mcp", context.clinic.agentKey);
    const logged: unknown[] = [];
    const { LoggingMessageNotificationSchema } = await import("@modelcontextprotocol/sdk/types.js");
    client.setNotificationHandler(LoggingMessageNotificationSchema, (note) => {
      logged.push(note.params.data);
    });
    await client.setLoggingLevel("info");
    await call(client, "list_services");
    assert.equal(logged, [{ tool: "list_services", outcome: "ok" }]);
    await client.setLoggingLevel("error");
    await call(client, "list_services");
    assert.is(logged.length, 1, "info messages are not sent at level error");
  });

  mcp("serves the protected resource metadata", async ({ engine }) => {
    for (const path of [
      "/.well-known/oauth-protected-resource/mcp",
      "/.well-known/oauth-protected-resource",
    ]) {
      const answer = await engine.api("GET", path);
      assert.is(answer.status, 200);
      assert.is(answer.body.resource, `${engine.url}/mcp`);
      assert.equal(answer.body.bearer_methods_supported, ["header"]);
      assert.type(answer.body.resource_name, "string");
      assert.not.ok("authorization_servers" in answer.body);
    }
  });

  mcp("refuses a foreign Host or a cross-origin Origin", async ({ engine, clinic }) => {
    const token = { authorization: `Bearer ${clinic.agentKey}` };
    const crossOrigin = await rawPost(engine.url, "/mcp", {
      ...token,
      origin: "http://evil.example.com",
    });
    assert.is(crossOrigin.status, 403);
    const sameOrigin = await rawPost(engine.url, "/mcp", { ...token, origin: engine.url });
    assert.is(sameOrigin.status, 200);
    await sameOrigin.body?.cancel();
  });

  mcp("the public endpoint offers the widget's tools and nothing more", async (context) => {
    const { clinic } = context;
    const client = await connect(context, `/mcp/t/${clinic.code}`);
    const { tools } = await client.listTools();
    assert.equal(tools.map((tool) => tool.name).sort(), [
      "book_appointment",
      "find_available_slots",
      "hold_slot",
      "list_services",
      "release_hold",
    ]);
    const { resources } = await client.listResources();
    assert.equal(
      resources.map((r) => r.uri),
      ["vbwd://services"],
    );
  });

  mcp("the public endpoint books with the tenant's publishable key", async (context) => {
    const { clinic, engine } = context;
    const client = await connect(context, `/mcp/t/${clinic.code}`, clinic.publishableKey);
    const config = structured(await call(client, "list_services"));
    assert.equal(
      config.services.map((s: { id: string }) => s.id),
      [clinic.serviceId],
    );
    const booked = structured(
      await call(client, "book_appointment", {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        start: slotAt("14:00"),
        customer: { name: "Widget Guest", email: "guest@example.org" },
      }),
    );
    const rest = await engine.api("GET", `/api/v1/bookings/${booked.id}`, {
      token: clinic.secretKey,
    });
    assert.is(rest.body.customer.name, "Widget Guest");
  });

  mcp("the public endpoint books without a key, with the widget's scope only", async (context) => {
    const { clinic, other, engine } = context;
    const client = await connect(context, `/mcp/t/${clinic.code}`);
    const config = structured(await call(client, "list_services"));
    assert.equal(
      config.services.map((s: { id: string }) => s.id),
      [clinic.serviceId],
    );
    const start = slotAt("15:30");
    const slots = structured(
      await call(client, "find_available_slots", {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        from: slotAt("15:00"),
        to: slotAt("16:00"),
      }),
    );
    assert.ok(slots.slots.some((slot: { start: string }) => slot.start === start));
    const booked = structured(
      await call(client, "book_appointment", {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        start,
        customer: { name: "Keyless Guest", email: "keyless@example.org" },
      }),
    );
    const rest = await engine.api("GET", `/api/v1/bookings/${booked.id}`, {
      token: clinic.secretKey,
    });
    assert.is(rest.status, 200);
    assert.is(rest.body.customer.email, "keyless@example.org");
    const foreign = await call(client, "find_available_slots", {
      calendarId: other.calendarId,
      serviceId: other.serviceId,
    });
    assert.is(foreign.isError, true, "another tenant's calendar is not reachable");
    assert.match(textOf(foreign), "not_found");
  });

  mcp("the public endpoint refuses other keys and unknown tenants", async (context) => {
    const { engine, clinic, other } = context;
    const secret = await rawPost(engine.url, `/mcp/t/${clinic.code}`, {
      authorization: `Bearer ${clinic.secretKey}`,
    });
    assert.is(secret.status, 403);
    const unknown = await rawPost(engine.url, "/mcp/t/no-such-tenant");
    assert.is(unknown.status, 404);
    const client = await connect(context, `/mcp/t/${clinic.code}`, other.publishableKey);
    const crossed = await call(client, "list_services");
    assert.is(crossed.isError, true);
    assert.match(textOf(crossed), "tenant_mismatch");
  });

  mcp("a session ended by its client is forgotten", async (context) => {
    const { engine, clinic } = context;
    const transport = new StreamableHTTPClientTransport(new URL(`${engine.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${clinic.agentKey}` } },
    });
    const client = new Client({ name: "vbwd-test", version: "1.0.0" });
    await client.connect(transport);
    const sessionId = transport.sessionId!;
    assert.type(sessionId, "string");
    await transport.terminateSession();
    await client.close();
    const answer = await fetch(`${engine.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${clinic.agentKey}`,
        "mcp-session-id": sessionId,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }),
    });
    assert.is(answer.status, 404);
  });

  mcp("a session answers only the key that opened it", async (context) => {
    const { engine, clinic } = context;
    const transport = new StreamableHTTPClientTransport(new URL(`${engine.url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${clinic.agentKey}` } },
    });
    const client = new Client({ name: "vbwd-test", version: "1.0.0" });
    await client.connect(transport);
    context.clients.push(client);
    const answer = await fetch(`${engine.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${clinic.secretKey}`,
        "mcp-session-id": transport.sessionId!,
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list", params: {} }),
    });
    assert.is(answer.status, 404);
  });

  mcp("malformed JSON is a 400 parse error", async ({ engine, clinic }) => {
    const answer = await fetch(`${engine.url}/mcp`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
        authorization: `Bearer ${clinic.agentKey}`,
      },
      body: "{ not json",
    });
    assert.is(answer.status, 400);
    const body = (await answer.json()) as { error: { code: number } };
    assert.is(body.error.code, -32700);
  });

  mcp.run();
}

const redis = redisUrl();
if (redis) {
  interface RedisContext extends Context {
    cluster: string;
    reader: Redis;
  }
  const shared = suite<RedisContext>("gateway: MCP sessions in Redis");
  const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;

  shared.before(async (context) => {
    context.cluster = `mcp-sessions-${process.pid}`;
    context.scratch = await sqlite.create("mcp_redis");
    context.engine = await startTestEngine(context.scratch.target, {
      REDIS_URL: redis,
      CLUSTER_NAME: context.cluster,
    });
    context.clinic = await agentTenant(context.engine, "mcp-redis-clinic");
    context.clients = [];
    context.reader = new Redis(redis);
  });

  shared.after(async ({ engine, scratch, clients, reader }) => {
    await Promise.all(clients.map((client) => client.close()));
    reader.disconnect();
    await engine.stop();
    await scratch.drop();
  });

  shared(
    "a session lives in Redis without its key, keeps its log level and ends",
    async (context) => {
      const { engine, clinic, reader, cluster } = context;
      const transport = new StreamableHTTPClientTransport(new URL(`${engine.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${clinic.agentKey}` } },
      });
      const client = new Client({ name: "vbwd-test", version: "1.0.0" });
      await client.connect(transport);
      const key = `${cluster}:mcp:session:${transport.sessionId}`;
      const stored = await reader.get(key);
      assert.ok(stored, "the session is in Redis");
      assert.not.match(stored!, clinic.agentKey);
      assert.is(JSON.parse(stored!).endpoint, "/mcp");
      const ttl = await reader.pttl(key);
      assert.ok(ttl > 0 && ttl <= 30 * 60_000, `ttl ${ttl}`);

      await client.setLoggingLevel("error");
      assert.is(JSON.parse((await reader.get(key))!).logLevel, "error");
      assert.ok((await client.listTools()).tools.length > 0);

      await transport.terminateSession();
      await client.close();
      assert.is(await reader.exists(key), 0);
    },
  );

  shared.run();
} else {
  warnSkipped("MCP sessions in Redis", "REDIS_URL is not set");
}

const guard = suite("gateway: MCP host and origin guard");

guard("admits loopback hosts and same-origin browsers", () => {
  assert.is(rebindingRefusal("127.0.0.1:3000", "", undefined), undefined);
  assert.is(rebindingRefusal("localhost:3000", "http://localhost:3000", undefined), undefined);
  assert.is(rebindingRefusal("[::1]:3000", "", undefined), undefined);
});

guard("admits BASE_DOMAIN and its subdomains only when configured", () => {
  assert.is(rebindingRefusal("book.example.com", "", "book.example.com"), undefined);
  assert.is(rebindingRefusal("demo.book.example.com", "", "book.example.com"), undefined);
  assert.type(rebindingRefusal("book.example.com", "", undefined), "string");
  assert.type(rebindingRefusal("evilbook.example.com", "", "book.example.com"), "string");
});

guard("refuses foreign hosts and cross-origin browsers", () => {
  assert.type(rebindingRefusal("evil.example.com", "", undefined), "string");
  assert.type(rebindingRefusal("127.0.0.1:3000", "http://evil.example.com", undefined), "string");
  assert.type(rebindingRefusal("127.0.0.1:3000", "http://127.0.0.1:4000", undefined), "string");
  assert.type(rebindingRefusal("127.0.0.1:3000", "not an origin", undefined), "string");
});

guard.run();
