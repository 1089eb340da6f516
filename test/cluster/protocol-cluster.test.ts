import { createClient, type Client } from "graphql-ws";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import WebSocket from "ws";
import { bookingBody, slotAt } from "../support/booking-fixtures.js";
import {
  startCluster,
  stopCluster,
  waitForStableCluster,
  type ClusterNode,
} from "../support/cluster.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { callApi, type TestTenant } from "../support/engine.js";
import { redisUrl, warnSkipped } from "../support/services.js";

const mysql = dialectsUnderTest().find((dialect) => dialect.name === "mysql");
const redis = redisUrl();

interface Context {
  scratch: ScratchDatabase;
  nodes: ClusterNode[];
  clients: Client[];
}

/** A tenant with an agent key, a calendar open every day 09:00–17:00 UTC and a service. */
interface Offer {
  tenant: TestTenant;
  agentKey: string;
  calendarId: string;
  serviceId: string;
}

const protocols = suite<Context>("cluster: GraphQL, Agent Protocol, A2A and MCP across nodes");

protocols.before(async (context) => {
  context.nodes = [];
  context.clients = [];
  if (!mysql || !redis) return;
  context.scratch = await mysql.create("protocol_cluster");
  const target = context.scratch.target;
  context.nodes = await startCluster(2, {
    databaseUrl: target.dialect === "mysql" ? target.url : "",
    redisUrl: redis,
  });
  await waitForStableCluster(context.nodes);
});

protocols.after.each(async (context) => {
  await Promise.all(context.clients.map((client) => client.dispose()));
  context.clients = [];
});

protocols.after(async (context) => {
  await stopCluster(context.nodes);
  await context.scratch?.drop();
});

let codes = 0;

async function offerOn(node: ClusterNode, name: string): Promise<Offer> {
  const code = `${name}-${++codes}-${Date.now().toString(36)}`;
  const email = `owner@${code}.example.org`;
  const password = "correct horse battery";
  const signup = await callApi(node.url, "POST", "/api/v1/signup", {
    body: { tenantCode: code, name, businessType: "medical", email, password },
  });
  assert.is(signup.status, 201);
  const tenant: TestTenant = {
    id: signup.body.tenant.id,
    code,
    secretKey: signup.body.keys.secret,
    publishableKey: signup.body.keys.publishable,
    email,
    password,
  };
  const hours = Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((day) => [day, [["09:00", "17:00"]]]),
  );
  const calendar = await callApi(node.url, "POST", "/api/v1/calendars", {
    token: tenant.secretKey,
    body: { name: "Room", timezone: "UTC", weeklyHours: hours, slotIntervalMinutes: 30 },
  });
  const service = await callApi(node.url, "POST", "/api/v1/services", {
    token: tenant.secretKey,
    body: { calendarIds: [calendar.body.id], name: "Visit", durationMinutes: 30 },
  });
  const key = await callApi(node.url, "POST", "/api/v1/keys", {
    token: tenant.secretKey,
    body: { kind: "agent" },
  });
  assert.is(key.status, 201);
  return {
    tenant,
    agentKey: key.body.key as string,
    calendarId: calendar.body.id as string,
    serviceId: service.body.id as string,
  };
}

/** `promise`, or a failure once `ms` have passed: a missing push fails instead of hanging. */
function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`nothing came within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

const bookingDay = () => slotAt("10:00").slice(0, 10);

/** One MCP message posted on a session; answers the JSON-RPC reply (JSON or from SSE). */
async function mcpPost(
  node: ClusterNode,
  key: string,
  message: Record<string, unknown>,
  sessionId?: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any field
): Promise<{ status: number; sessionId: string | null; reply: Record<string, any> | undefined }> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    authorization: `Bearer ${key}`,
    "mcp-protocol-version": "2025-06-18",
  };
  if (sessionId) headers["mcp-session-id"] = sessionId;
  const answer = await fetch(`${node.url}/mcp`, {
    method: "POST",
    headers,
    body: JSON.stringify(message),
  });
  const text = await answer.text();
  const json = text.startsWith("{")
    ? text
    : text
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .find((data) => data.includes(`"id":${JSON.stringify(message.id)}`));
  return {
    status: answer.status,
    sessionId: answer.headers.get("mcp-session-id"),
    reply: json ? JSON.parse(json) : undefined,
  };
}

function a2a(node: ClusterNode, key: string, id: number, method: string, params: object) {
  return callApi(node.url, "POST", "/a2a", {
    token: key,
    body: { jsonrpc: "2.0", id, method, params },
  });
}

if (!mysql || !redis) {
  warnSkipped("protocol cluster suite", "it needs MySQL (DATABASE_URL) and Redis (REDIS_URL)");
} else {
  protocols(
    "a GraphQL subscriber on one node hears a REST booking made on another",
    async (context) => {
      const [first, second] = context.nodes as [ClusterNode, ClusterNode];
      const offer = await offerOn(first, "gql");
      type Push = { version: number; slots: { start: string; remaining: number }[] };
      // One subscriber on each node: whichever node commits the booking, the other one
      // hears it only through Redis.
      const subscriptions = context.nodes.map((node) => {
        const client = createClient({
          url: node.url.replace("http", "ws") + "/graphql",
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${offer.tenant.publishableKey}` },
          retryAttempts: 0,
        });
        context.clients.push(client);
        return client.iterate<{ availability: Push }>({
          query: `subscription { availability(calendarId: "${offer.calendarId}", serviceId: "${offer.serviceId}") { version slots { start end remaining } } }`,
        });
      });
      const next = async (pushes: (typeof subscriptions)[number]) =>
        (await within(5000, pushes.next())).value?.data?.availability as Push;
      const firsts = await Promise.all(subscriptions.map(next));

      const start = slotAt("11:00");
      const made = await callApi(second.url, "POST", "/api/v1/bookings", {
        token: offer.tenant.secretKey,
        body: bookingBody(offer.calendarId, offer.serviceId, start, 4),
      });
      assert.is(made.status, 201);
      for (const [n, pushes] of subscriptions.entries()) {
        const change = await next(pushes);
        assert.is(change.version, firsts[n]!.version + 1, `node ${n + 1}`);
        assert.is(change.slots.find((slot) => slot.start === start)?.remaining, 0);
        await pushes.return?.();
      }
    },
  );

  protocols(
    "an Agent Protocol task made on one node is read with its steps and artifacts on another",
    async (context) => {
      const [first, second] = context.nodes as [ClusterNode, ClusterNode];
      const offer = await offerOn(first, "ap");
      const other = await offerOn(second, "ap-other");
      const tasks = "/ap/v1/agent/tasks";
      const input = `book a 30 minute visit on ${bookingDay()} at 13:00 for Jane Roe <jane@example.org>`;
      const created = await callApi(first.url, "POST", tasks, {
        token: offer.agentKey,
        body: { input },
      });
      assert.is(created.status, 200, JSON.stringify(created.body));
      const taskId = created.body.task_id as string;
      // The steps alternate between the nodes; each picks up where the other left off.
      const nodes = [first, second, first];
      for (const [n, node] of nodes.entries()) {
        const step = await callApi(node.url, "POST", `${tasks}/${taskId}/steps`, {
          token: offer.agentKey,
          body: {},
        });
        assert.is(step.status, 200, JSON.stringify(step.body));
        assert.is(step.body.is_last, n === 2, JSON.stringify(step.body));
      }

      const steps = await callApi(second.url, "GET", `${tasks}/${taskId}/steps`, {
        token: offer.agentKey,
      });
      assert.is(steps.status, 200);
      assert.equal(
        steps.body.steps.map((step: { name: string }) => step.name),
        ["find slots", "hold", "book"],
      );
      const task = await callApi(second.url, "GET", `${tasks}/${taskId}`, {
        token: offer.agentKey,
      });
      const names = task.body.artifacts.map((a: { file_name: string }) => a.file_name);
      assert.ok(
        names.some((name: string) => name.endsWith(".ics")),
        JSON.stringify(names),
      );
      const ics = task.body.artifacts.find((a: { file_name: string }) =>
        a.file_name.endsWith(".ics"),
      );
      const file = await fetch(`${second.url}${tasks}/${taskId}/artifacts/${ics.artifact_id}`, {
        headers: { authorization: `Bearer ${offer.agentKey}` },
      });
      assert.is(file.status, 200);
      assert.match(await file.text(), "BEGIN:VCALENDAR");

      // Another tenant finds nothing on either node.
      for (const node of [first, second]) {
        for (const path of [`${tasks}/${taskId}`, `${tasks}/${taskId}/steps`]) {
          const foreign = await callApi(node.url, "GET", path, { token: other.agentKey });
          assert.is(foreign.status, 404, `${path}: ${JSON.stringify(foreign.body)}`);
        }
        const listed = await callApi(node.url, "GET", tasks, { token: other.agentKey });
        assert.is(listed.body.pagination.total_items, 0);
      }
    },
  );

  protocols("an A2A task sent on one node is fetched on another", async (context) => {
    const [first, second] = context.nodes as [ClusterNode, ClusterNode];
    const offer = await offerOn(first, "a2a");
    const other = await offerOn(first, "a2a-other");
    const text = `book on ${bookingDay()} at 15:00 for Jane Roe <jane@example.org>`;
    const sent = await a2a(first, offer.agentKey, 1, "message/send", {
      message: { kind: "message", messageId: "m-1", role: "user", parts: [{ kind: "text", text }] },
    });
    assert.is(sent.status, 200);
    assert.is(sent.body.result.status.state, "completed", JSON.stringify(sent.body));
    const taskId = sent.body.result.id as string;

    const fetched = await a2a(second, offer.agentKey, 2, "tasks/get", { id: taskId });
    assert.is(fetched.body.result?.id, taskId, JSON.stringify(fetched.body));
    assert.is(fetched.body.result.status.state, "completed");
    assert.ok(fetched.body.result.artifacts.length > 0, "the booking's artifacts are kept");

    for (const node of [first, second]) {
      const foreign = await a2a(node, other.agentKey, 3, "tasks/get", { id: taskId });
      assert.is(foreign.body.error?.code, -32001, JSON.stringify(foreign.body));
    }
  });

  protocols(
    "an MCP session opened on one node lists tools and books on another",
    async (context) => {
      const [first, second] = context.nodes as [ClusterNode, ClusterNode];
      const offer = await offerOn(first, "mcp");
      const other = await offerOn(first, "mcp-other");
      const opened = await mcpPost(first, offer.agentKey, {
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "cluster-test", version: "1.0.0" },
        },
      });
      assert.is(opened.status, 200);
      const sessionId = opened.sessionId!;
      assert.type(sessionId, "string");
      const initialized = { jsonrpc: "2.0", method: "notifications/initialized" };
      const notified = await fetch(`${second.url}/mcp`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          authorization: `Bearer ${offer.agentKey}`,
          "mcp-session-id": sessionId,
          "mcp-protocol-version": "2025-06-18",
        },
        body: JSON.stringify(initialized),
      });
      assert.is(notified.status, 202);

      const listed = await mcpPost(
        second,
        offer.agentKey,
        { jsonrpc: "2.0", id: 2, method: "tools/list" },
        sessionId,
      );
      assert.is(listed.status, 200);
      assert.is(listed.sessionId, sessionId);
      const names = listed.reply?.result.tools.map((tool: { name: string }) => tool.name);
      assert.ok(names.includes("book_appointment"), JSON.stringify(listed.reply));

      const start = slotAt("16:00");
      const callTool = (id: number, name: string, args: object) =>
        mcpPost(
          second,
          offer.agentKey,
          { jsonrpc: "2.0", id, method: "tools/call", params: { name, arguments: args } },
          sessionId,
        );
      const slot = { calendarId: offer.calendarId, serviceId: offer.serviceId, start };
      const hold = await callTool(3, "hold_slot", slot);
      const holdId = hold.reply?.result.structuredContent?.id;
      assert.match(String(holdId), /^hld_/, JSON.stringify(hold.reply));
      const booked = await callTool(4, "book_appointment", {
        ...slot,
        holdId,
        customer: { name: "Ada Lovelace", email: "ada@example.org" },
      });
      assert.is(booked.reply?.result.structuredContent?.status, "confirmed");
      const stored = await callApi(
        first.url,
        "GET",
        `/api/v1/bookings/${booked.reply?.result.structuredContent.id}`,
        {
          token: offer.tenant.secretKey,
        },
      );
      assert.is(stored.status, 200);

      // Another tenant's key cannot use the session on any node.
      for (const node of [first, second]) {
        const foreign = await mcpPost(
          node,
          other.agentKey,
          { jsonrpc: "2.0", id: 5, method: "tools/list" },
          sessionId,
        );
        assert.is(foreign.status, 404);
      }
    },
  );
}

protocols.run();
