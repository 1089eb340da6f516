import { suite } from "uvu";
import * as assert from "uvu/assert";
import {
  Role,
  TaskState,
  type ListTasksRequest,
  type Message,
  type Part,
  type Task,
} from "@a2a-js/sdk";
import { ServerCallContext } from "@a2a-js/sdk/server";
import { DatabaseTaskStore } from "../../src/gateway/agent/a2a-task-store.js";
import { ClientFactory, JsonRpcTransportFactory, type Client } from "@a2a-js/sdk/client";
import { bookingBody, createOffer, rowsOf, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  createAgentKey,
  signUpTenant,
  startTestEngine,
  type TestEngine,
} from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

let codes = 0;
const nextCode = (name: string) => `${name}-${++codes}`;

/** An SDK client that finds the agent through its card and sends `key` on every call. */
function clientFor(engine: TestEngine, key: string): Promise<Client> {
  const fetchWithKey: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${key}`);
    return fetch(input, { ...init, headers });
  };
  const factory = new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl: fetchWithKey })],
  });
  return factory.createFromUrl(engine.url);
}

function part(content: Part["content"]): Part {
  return { content, metadata: undefined, filename: "", mediaType: "" };
}

function userMessage(parts: Part[]): Message {
  return {
    messageId: crypto.randomUUID(),
    contextId: "",
    taskId: "",
    role: Role.ROLE_USER,
    parts,
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
}

async function send(client: Client, parts: Part[]): Promise<Task> {
  const result = await client.sendMessage({
    tenant: "",
    message: userMessage(parts),
    configuration: undefined,
    metadata: undefined,
  });
  assert.ok("id" in result && "status" in result, "the answer is a task");
  return result as Task;
}

function statusText(task: Task): string {
  const first = task.status?.message?.parts[0]?.content;
  return first?.$case === "text" ? first.value : "";
}

function artifactNamed(task: Task, name: string) {
  return task.artifacts.find((artifact) => artifact.name === name)?.parts[0];
}

const bookingDay = () => slotAt("10:00").slice(0, 10);

for (const dialect of dialectsUnderTest()) {
  const a2a = suite<Context>(`gateway: A2A (${dialect.name})`);

  a2a.before(async (context) => {
    context.scratch = await dialect.create("a2a");
    context.engine = await startTestEngine(context.scratch.target);
  });

  a2a.after(async ({ engine, scratch }) => {
    await engine?.stop();
    await scratch?.drop();
  });

  a2a("the agent card names the booking skills, the endpoint and Bearer", async ({ engine }) => {
    const current = await engine.api("GET", "/.well-known/agent-card.json", {
      headers: { "a2a-version": "1.0" },
    });
    assert.is(current.status, 200);
    assert.equal(
      current.body.skills.map((skill: { id: string }) => skill.id),
      ["find-slots", "book", "cancel", "get-booking"],
    );
    assert.is(current.body.supportedInterfaces[0].url, `${engine.url}/a2a`);
    assert.is(current.body.securitySchemes.agentKey.httpAuthSecurityScheme.scheme, "Bearer");

    const legacy = await engine.api("GET", "/.well-known/agent.json");
    assert.is(legacy.status, 200);
    assert.is(legacy.body.url, `${engine.url}/a2a`);
    assert.is(legacy.body.securitySchemes.agentKey.scheme, "bearer");
    assert.is(legacy.body.skills.length, 4);
  });

  a2a("a text message books a slot; the task holds the booking REST shows", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("text"));
    await createOffer(engine, tenant);
    const key = await createAgentKey(engine, tenant);
    const client = await clientFor(engine, key);
    const text = `book a 30 minute consultation on ${bookingDay()} at 10:00 for Jane Roe <jane@example.org>`;
    const task = await send(client, [part({ $case: "text", value: text })]);

    assert.is(task.status?.state, TaskState.TASK_STATE_COMPLETED, statusText(task));
    const json = artifactNamed(task, "booking.json")?.content;
    assert.is(json?.$case, "data");
    const booking = json?.$case === "data" ? json.value : undefined;
    assert.is(booking.start, slotAt("10:00"));
    const rest = await engine.api("GET", `/api/v1/bookings/${booking.id}`, {
      token: tenant.secretKey,
    });
    assert.is(rest.status, 200);
    assert.equal(rest.body, booking);

    const ics = artifactNamed(task, "booking.ics");
    assert.is(ics?.mediaType, "text/calendar");
    const icsText = ics?.content?.$case === "raw" ? Buffer.from(ics.content.value).toString() : "";
    assert.match(icsText, new RegExp(`UID:${booking.id}@vbwd`));

    const again = await client.getTask({ tenant: "", id: task.id });
    assert.is(again.status?.state, TaskState.TASK_STATE_COMPLETED);
    assert.is(again.artifacts.length, 2);
  });

  a2a("a data part books exactly; a message cancels the booking", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("data"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const client = await clientFor(engine, await createAgentKey(engine, tenant));
    const start = slotAt("12:00");
    const customer = { name: "Ada Lovelace", email: "ada@example.org" };
    const task = await send(client, [
      part({ $case: "data", value: { calendarId, serviceId, start, customer } }),
    ]);
    assert.is(task.status?.state, TaskState.TASK_STATE_COMPLETED, statusText(task));
    const json = artifactNamed(task, "booking.json")?.content;
    const booking = json?.$case === "data" ? json.value : undefined;
    assert.is(booking.start, start);

    const cancel = await send(client, [
      part({ $case: "text", value: `cancel booking ${booking.id}` }),
    ]);
    assert.is(cancel.status?.state, TaskState.TASK_STATE_COMPLETED, statusText(cancel));
    const rest = await engine.api("GET", `/api/v1/bookings/${booking.id}`, {
      token: tenant.secretKey,
    });
    assert.is(rest.body.status, "cancelled");
  });

  a2a("a taken slot ends as a failed task that says what is free", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("taken"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const taken = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, slotAt("15:00")),
    });
    assert.is(taken.status, 201);
    const client = await clientFor(engine, await createAgentKey(engine, tenant));
    const text = `book on ${bookingDay()} at 15:00 for Jo Bloggs <jo@example.org>`;
    const task = await send(client, [part({ $case: "text", value: text })]);
    assert.is(task.status?.state, TaskState.TASK_STATE_FAILED);
    assert.match(statusText(task), /not free\. Free that day: .*15:30/);

    const refused = await send(client, [part({ $case: "text", value: "sing me a song" })]);
    assert.is(refused.status?.state, TaskState.TASK_STATE_REJECTED);
    assert.match(statusText(refused), /books appointments/);
    const bookings = await engine.api("GET", "/api/v1/bookings", { token: tenant.secretKey });
    assert.is(bookings.body.data.length, 1, "nothing else was booked");
  });

  a2a("another tenant cannot read a task, and no key is refused", async ({ engine }) => {
    const owner = await signUpTenant(engine, nextCode("owner"));
    const other = await signUpTenant(engine, nextCode("other"));
    const ownerClient = await clientFor(engine, await createAgentKey(engine, owner));
    const otherClient = await clientFor(engine, await createAgentKey(engine, other));
    const task = await send(ownerClient, [part({ $case: "text", value: "hello" })]);

    let refusal: unknown;
    await otherClient.getTask({ tenant: "", id: task.id }).catch((err) => (refusal = err));
    assert.ok(refusal instanceof Error, "the other tenant's getTask fails");
    assert.match(String(refusal), /not found/i);
    const mine = await ownerClient.getTask({ tenant: "", id: task.id });
    assert.is(mine.id, task.id);

    const anonymous = await engine.api("POST", "/a2a", {
      body: { jsonrpc: "2.0", id: 1, method: "GetTask", params: { id: task.id } },
    });
    assert.is(anonymous.status, 401);
    assert.is(anonymous.body.error.data.code, "unauthenticated");

    const legacy = await engine.api("POST", "/a2a", {
      token: await createAgentKey(engine, other),
      body: { jsonrpc: "2.0", id: 2, method: "tasks/get", params: { id: task.id } },
    });
    assert.is(legacy.status, 200);
    assert.is(legacy.body.error.code, -32001, JSON.stringify(legacy.body));
  });

  a2a("v0.3 message/send books through the same agent", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("legacy"));
    await createOffer(engine, tenant);
    const key = await createAgentKey(engine, tenant);
    const text = `book on ${bookingDay()} at 16:00 for Jane Roe <jane@example.org>`;
    const answer = await engine.api("POST", "/a2a", {
      token: key,
      body: {
        jsonrpc: "2.0",
        id: 7,
        method: "message/send",
        params: {
          message: {
            kind: "message",
            messageId: "m-1",
            role: "user",
            parts: [{ kind: "text", text }],
          },
        },
      },
    });
    assert.is(answer.status, 200);
    assert.is(answer.body.result.status.state, "completed", JSON.stringify(answer.body));
    const taskId = answer.body.result.id;
    const fetched = await engine.api("POST", "/a2a", {
      token: key,
      body: { jsonrpc: "2.0", id: 8, method: "tasks/get", params: { id: taskId } },
    });
    assert.is(fetched.body.result.status.state, "completed");
    const cancel = await engine.api("POST", "/a2a", {
      token: key,
      body: { jsonrpc: "2.0", id: 9, method: "tasks/cancel", params: { id: taskId } },
    });
    assert.ok(cancel.body.error, "a finished task cannot be cancelled");
  });

  a2a("tasks are kept in the database, per tenant, for any node to load", async ({ engine }) => {
    const owner = await signUpTenant(engine, nextCode("kept"));
    const other = await signUpTenant(engine, nextCode("kept-other"));
    const client = await clientFor(engine, await createAgentKey(engine, owner));
    const task = await send(client, [part({ $case: "text", value: "hello" })]);

    const [row] = await rowsOf(engine, "agent_tasks", { id: task.id });
    assert.is(row?.tenant_id, owner.id);
    assert.is(row?.protocol, "a2a");
    // A store of its own, as another node has: it loads the task for its tenant only.
    const contextOf = (tenantId: string) =>
      new ServerCallContext({ user: undefined, state: new Map([["tenant", tenantId]]) });
    const store = new DatabaseTaskStore(
      engine.engine.services.db,
      (context) => context.state.get("tenant") as string,
    );
    const loaded = await store.load(task.id, contextOf(owner.id));
    assert.is(loaded?.id, task.id);
    assert.is(loaded?.status?.state, task.status?.state);
    assert.is(await store.load(task.id, contextOf(other.id)), undefined);
    const listed = await store.list(listRequest(), contextOf(owner.id));
    assert.equal(
      listed.tasks.map((found) => found.id),
      [task.id],
    );
    assert.is((await store.list(listRequest(), contextOf(other.id))).totalSize, 0);

    // Saving another tenant's task id does not overwrite it.
    let refusal: unknown;
    await store
      .save({ ...task, contextId: "hijack" }, contextOf(other.id))
      .catch((err) => (refusal = err));
    assert.ok(refusal, "saving over another tenant's task fails");
    assert.is((await store.load(task.id, contextOf(owner.id)))?.contextId, task.contextId);
  });

  a2a.run();
}

function listRequest(): ListTasksRequest {
  return {
    tenant: "",
    contextId: "",
    status: TaskState.TASK_STATE_UNSPECIFIED,
    pageToken: "",
    statusTimestampAfter: undefined,
  };
}
