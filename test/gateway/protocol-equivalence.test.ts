import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Role, TaskState, type Message, type Part, type Task } from "@a2a-js/sdk";
import {
  ClientFactory,
  JsonRpcTransportFactory,
  type Client as A2aClient,
} from "@a2a-js/sdk/client";
import { Client as McpClient } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { createOffer, slotAt } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  signUpTenant,
  startTestEngine,
  type TestEngine,
  type TestTenant,
} from "../support/engine.js";

/** One tenant with an offer and an agent key, as every protocol's caller needs. */
interface Business {
  tenant: TestTenant;
  agentKey: string;
  calendarId: string;
  serviceId: string;
}

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  clinic: Business;
  rival: Business;
  mcpClients: McpClient[];
}

interface BookingRequest {
  calendarId: string;
  serviceId: string;
  start: string;
  customer: { name: string; email: string; phone: string };
}

/** How each protocol books; each answers the new booking's id, or what refused it. */
type Outcome = { bookingId: string } | { refusal: string };

type Booker = (context: Context, caller: Business, request: BookingRequest) => Promise<Outcome>;

async function business(engine: TestEngine, code: string): Promise<Business> {
  const tenant = await signUpTenant(engine, code);
  const offer = await createOffer(engine, tenant);
  const key = await engine.api("POST", "/api/v1/keys", {
    token: tenant.secretKey,
    body: { kind: "agent" },
  });
  assert.is(key.status, 201);
  return { tenant, agentKey: key.body.key, ...offer };
}

const overRest: Booker = async ({ engine }, caller, request) => {
  const answer = await engine.api("POST", "/api/v1/bookings", {
    token: caller.tenant.secretKey,
    body: request,
  });
  return answer.status === 201
    ? { bookingId: answer.body.id }
    : { refusal: answer.body.error.code };
};

const overGraphql: Booker = async ({ engine }, caller, request) => {
  const query = `mutation Book($input: BookingInput!) { book(input: $input) { id } }`;
  const answer = await engine.api("POST", "/graphql", {
    token: caller.agentKey,
    body: { query, variables: { input: request } },
  });
  const error = answer.body.errors?.[0];
  return error ? { refusal: error.extensions.code } : { bookingId: answer.body.data.book.id };
};

const overMcp: Booker = async (context, caller, request) => {
  const transport = new StreamableHTTPClientTransport(new URL(`${context.engine.url}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${caller.agentKey}` } },
  });
  const client = new McpClient({ name: "equivalence", version: "1.0.0" });
  await client.connect(transport);
  context.mcpClients.push(client);
  const result = (await client.callTool({
    name: "book_appointment",
    arguments: { ...request },
  })) as CallToolResult;
  if (!result.isError) return { bookingId: (result.structuredContent as { id: string }).id };
  const text = result.content.map((part) => (part.type === "text" ? part.text : "")).join(" ");
  return { refusal: codeIn(text) };
};

const overAgentProtocol: Booker = async ({ engine }, caller, request) => {
  const tasks = "/ap/v1/agent/tasks";
  const created = await engine.api("POST", tasks, {
    token: caller.agentKey,
    body: { additional_input: request },
  });
  assert.is(created.status, 200);
  let last: { is_last: boolean; output: string; additional_output?: { booking?: { id: string } } };
  do {
    const step = await engine.api("POST", `${tasks}/${created.body.task_id}/steps`, {
      token: caller.agentKey,
      body: {},
    });
    assert.is(step.status, 200);
    last = step.body;
  } while (!last.is_last);
  const booking = last.additional_output?.booking;
  return booking ? { bookingId: booking.id } : { refusal: last.output };
};

const overA2a: Booker = async ({ engine }, caller, request) => {
  const withKey: typeof fetch = (input, init) => {
    const headers = new Headers(init?.headers);
    headers.set("authorization", `Bearer ${caller.agentKey}`);
    return fetch(input, { ...init, headers });
  };
  const factory = new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl: withKey })],
  });
  const client: A2aClient = await factory.createFromUrl(engine.url);
  const part: Part = {
    content: { $case: "data", value: { ...request } },
    metadata: undefined,
    filename: "",
    mediaType: "",
  };
  const message: Message = {
    messageId: crypto.randomUUID(),
    contextId: "",
    taskId: "",
    role: Role.ROLE_USER,
    parts: [part],
    metadata: undefined,
    extensions: [],
    referenceTaskIds: [],
  };
  const task = (await client.sendMessage({
    tenant: "",
    message,
    configuration: undefined,
    metadata: undefined,
  })) as Task;
  if (task.status?.state !== TaskState.TASK_STATE_COMPLETED) {
    const text = task.status?.message?.parts[0]?.content;
    return { refusal: text?.$case === "text" ? text.value : String(task.status?.state) };
  }
  const data = task.artifacts.find((artifact) => artifact.name === "booking.json")?.parts[0];
  assert.ok(data?.content?.$case === "data", "the booking comes back as data");
  return { bookingId: (data.content.value as { id: string }).id };
};

/** The first error code named in a text, such as a tool's refusal. */
function codeIn(text: string): string {
  return (
    /\b(slot_unavailable|not_found|invalid_input|hold_expired|tenant_mismatch)\b/.exec(text)?.[1] ??
    text
  );
}

const protocols: [string, Booker][] = [
  ["REST", overRest],
  ["GraphQL", overGraphql],
  ["MCP", overMcp],
  ["Agent Protocol", overAgentProtocol],
  ["A2A", overA2a],
];

/** What must be the same whichever protocol made a booking. */
function comparable(booking: Record<string, unknown>) {
  const { id: _id, createdAt: _c, updatedAt: _u, holdId: _h, start, end, ...rest } = booking;
  const minutes = (Date.parse(end as string) - Date.parse(start as string)) / 60_000;
  return { ...rest, minutes };
}

for (const dialect of dialectsUnderTest()) {
  const same = suite<Context>(`gateway: one booking, every protocol (${dialect.name})`);

  same.before(async (context) => {
    context.scratch = await dialect.create("equivalence");
    context.engine = await startTestEngine(context.scratch.target);
    context.clinic = await business(context.engine, "same-clinic");
    context.rival = await business(context.engine, "same-rival");
    context.mcpClients = [];
  });

  same.after(async ({ engine, scratch, mcpClients }) => {
    await Promise.all(mcpClients.map((client) => client.close()));
    await engine.stop();
    await scratch.drop();
  });

  same("every protocol makes the same booking", async (context) => {
    const { clinic, engine } = context;
    const times = ["09:00", "10:00", "11:00", "12:00", "13:00"];
    const views: Record<string, unknown>[] = [];
    for (const [index, [name, book]] of protocols.entries()) {
      const start = slotAt(times[index]!);
      const request = {
        calendarId: clinic.calendarId,
        serviceId: clinic.serviceId,
        start,
        customer: { name: "Ines Ortega", email: "ines@example.org", phone: "+34 600 000 000" },
      };
      const outcome = await book(context, clinic, request);
      assert.ok("bookingId" in outcome, `${name} refused: ${JSON.stringify(outcome)}`);
      const stored = await engine.api("GET", `/api/v1/bookings/${outcome.bookingId}`, {
        token: clinic.tenant.secretKey,
      });
      assert.is(stored.status, 200, `${name}'s booking is stored`);
      assert.is(stored.body.start, start, `${name} booked the asked time`);
      views.push(comparable(stored.body));
    }
    for (const [index, [name]] of protocols.entries()) {
      assert.equal(views[index], views[0], `${name}'s booking matches REST's`);
    }
    assert.is((views[0] as { status: string }).status, "confirmed");
  });

  same("a taken slot is refused through every protocol, and nothing is booked", async (context) => {
    const { clinic, engine } = context;
    const start = slotAt("15:00");
    const request = {
      calendarId: clinic.calendarId,
      serviceId: clinic.serviceId,
      start,
      customer: { name: "First Come", email: "first@example.org", phone: "+34 600 000 001" },
    };
    assert.ok("bookingId" in (await overRest(context, clinic, request)));
    const refusals: Record<string, string> = {};
    for (const [name, book] of protocols) {
      const outcome = await book(context, clinic, {
        ...request,
        customer: { ...request.customer, email: `late-${name.length}@example.org` },
      });
      assert.ok("refusal" in outcome, `${name} booked a taken slot`);
      refusals[name] = outcome.refusal;
    }
    for (const name of ["REST", "GraphQL", "MCP"])
      assert.is(refusals[name], "slot_unavailable", name);
    for (const name of ["Agent Protocol", "A2A"]) {
      assert.match(refusals[name]!, /not free|taken/, `${name} says the time is taken`);
    }
    const list = await engine.api(
      "GET",
      `/api/v1/bookings?calendarId=${clinic.calendarId}&from=${start}&status=confirmed`,
      { token: clinic.tenant.secretKey },
    );
    assert.is(list.body.data.filter((b: { start: string }) => b.start === start).length, 1);
  });

  same("another tenant's calendar is out of reach through every protocol", async (context) => {
    const { clinic, rival, engine } = context;
    const start = slotAt("16:00");
    const request = {
      calendarId: clinic.calendarId,
      serviceId: clinic.serviceId,
      start,
      customer: { name: "Intruder", email: "intruder@example.org", phone: "+34 600 000 002" },
    };
    for (const [name, book] of protocols) {
      const outcome = await book(context, rival, request);
      assert.ok("refusal" in outcome, `${name} let another tenant book`);
      if (["REST", "GraphQL", "MCP"].includes(name)) assert.is(outcome.refusal, "not_found", name);
    }
    const list = await engine.api("GET", `/api/v1/bookings?calendarId=${clinic.calendarId}`, {
      token: clinic.tenant.secretKey,
    });
    assert.not.ok(
      list.body.data.some(
        (b: { customer: { email: string } }) => b.customer.email === "intruder@example.org",
      ),
      "no booking was made for the intruder",
    );
  });

  same.run();
}
