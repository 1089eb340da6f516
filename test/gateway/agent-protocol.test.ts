import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createOffer, slotAt, bookingBody, rowsOf } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import {
  createAgentKey,
  signUpTenant,
  startTestEngine,
  type TestEngine,
} from "../support/engine.js";
import { repoRoot } from "../support/engine-process.js";
import { inCI, warnSkipped } from "../support/services.js";
import { parseBookingText, readIntent } from "../../src/gateway/agent/booking-request.js";
import { useAgentTaskLimits } from "../../src/gateway/agent/agent-task-store.js";
import { snapshotTables } from "../support/table-snapshot.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

/** The protocol's own material (MIT, see its LICENSE), kept with the tests so a clean clone has it. */
const conformance = join(repoRoot, "test", "conformance", "agent-protocol");
const tasks = "/ap/v1/agent/tasks";

let codes = 0;
const nextCode = (name: string) => `${name}-${++codes}`;

/** Creates a task and runs its steps until the last; answers the task and every step. */
async function runTask(engine: TestEngine, key: string, body: unknown) {
  const created = await engine.api("POST", tasks, { token: key, body });
  assert.is(created.status, 200, JSON.stringify(created.body));
  const taskId = created.body.task_id as string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- steps as the API sent them
  const steps: any[] = [];
  for (let n = 0; n < 5 && !steps.at(-1)?.is_last; n++) {
    const step = await engine.api("POST", `${tasks}/${taskId}/steps`, { token: key, body: {} });
    assert.is(step.status, 200, JSON.stringify(step.body));
    steps.push(step.body);
  }
  return { taskId, steps };
}

/** `YYYY-MM-DD` of the day after tomorrow (UTC), where the fixtures' calendars are open. */
const bookingDay = () => slotAt("10:00").slice(0, 10);

function runNewman(url: string, key: string, report: string) {
  const newman = join(repoRoot, "node_modules", ".bin", "newman");
  const args = [
    "run",
    join(conformance, "agent_protocol_v1.json"),
    "--working-dir",
    conformance,
    "--env-var",
    `url=${url}`,
    "--env-var",
    `agent_key=${key}`,
    "--reporters",
    "cli,json",
    "--reporter-json-export",
    report,
  ];
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(newman, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("close", (code) => resolve({ code, output }));
  });
}

const parser = suite("gateway: the agents' booking request parser");

parser("reads dates, clock times, durations and the customer", () => {
  const text =
    "please book a 1 hour session on 2027-03-04 at 2:30 pm for the dentist for Jane Roe <jane@example.org>";
  const request = parseBookingText(text);
  assert.is(request.localDate, "2027-03-04");
  assert.is(request.localTime, "14:30");
  assert.is(request.durationMinutes, 60);
  assert.equal(request.customer, { name: "Jane Roe", email: "jane@example.org" });
  assert.ok(request.words.includes("dentist"));

  assert.is(parseBookingText("on 2027-03-04 10am").localTime, "10:00");
  assert.is(parseBookingText("on 2027-03-04 12am").localTime, "00:00");
  assert.is(parseBookingText("Ada Lovelace <ada@example.org>").customer.name, "Ada Lovelace");
  const instant = parseBookingText("book 2027-03-04T10:00:00+01:00 for Jo <jo@example.org>");
  assert.is(instant.startInstant, "2027-03-04T10:00:00+01:00");
  assert.is(instant.localDate, undefined);
});

parser("tells bookings, cancellations and other requests apart", () => {
  assert.equal(readIntent("please cancel booking bkg_abc123", undefined), {
    kind: "cancel",
    bookingId: "bkg_abc123",
  });
  assert.is(readIntent("Write the word 'Washington' to a .txt file", undefined).kind, "unrelated");
  const structured = readIntent(null, {
    start: "2027-03-04T10:00:00Z",
    customer: { name: "Jo", email: "jo@example.org" },
  });
  assert.is(structured.kind, "book");
  if (structured.kind === "book") {
    assert.is(structured.request.startInstant, "2027-03-04T10:00:00Z");
    assert.equal(structured.request.customer, { name: "Jo", email: "jo@example.org" });
  }
});

parser.run();

for (const dialect of dialectsUnderTest()) {
  const protocol = suite<Context>(`gateway: Agent Protocol v1 (${dialect.name})`);

  protocol.before(async (context) => {
    context.scratch = await dialect.create("agent_protocol");
    context.engine = await startTestEngine(context.scratch.target);
  });

  protocol.after(async ({ engine, scratch }) => {
    await engine?.stop();
    await scratch?.drop();
  });

  protocol("the protocol's own Postman collection passes under newman", async ({ engine }) => {
    if (!existsSync(join(conformance, "agent_protocol_v1.json"))) {
      if (inCI) assert.unreachable(`the conformance folder ${conformance} is missing`);
      warnSkipped("the Agent Protocol newman run", `${conformance} is missing`);
      return;
    }
    const tenant = await signUpTenant(engine, nextCode("newman"));
    const key = await createAgentKey(engine, tenant);
    const folder = mkdtempSync(join(tmpdir(), "vbwd-newman-"));
    const report = join(folder, "report.json");
    try {
      const { code, output } = await runNewman(engine.url, key, report);
      assert.is(code, 0, output);
      const run = JSON.parse(readFileSync(report, "utf8")).run;
      assert.is(run.stats.assertions.failed, 0, output);
      assert.is(run.stats.requests.failed, 0, output);
      assert.is(run.failures.length, 0, output);
      assert.ok(run.stats.requests.total >= 10, "every request of the collection ran");
      const statuses = run.executions.map(
        (execution: { item: { name: string }; response?: { code: number } }) =>
          `${execution.item.name}: ${execution.response?.code}`,
      );
      assert.equal(
        statuses.filter((status: string) => !status.endsWith(": 200")),
        [],
        "every call of the collection is answered 200",
      );
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  protocol("a free-text task books the slot, equal to REST, with an .ics", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("text"));
    await createOffer(engine, tenant);
    const key = await createAgentKey(engine, tenant);
    const input = `book a 30 minute consultation on ${bookingDay()} at 10:00 for Jane Roe <jane@example.org>`;
    const { taskId, steps } = await runTask(engine, key, { input });

    assert.equal(
      steps.map((step) => step.name),
      ["find slots", "hold", "book"],
    );
    assert.equal(
      steps.map((step) => step.is_last),
      [false, false, true],
    );
    const booking = steps[2].additional_output.booking;
    assert.is(booking.start, slotAt("10:00"));
    assert.equal(booking.customer, { name: "Jane Roe", email: "jane@example.org", phone: null });
    const rest = await engine.api("GET", `/api/v1/bookings/${booking.id}`, {
      token: tenant.secretKey,
    });
    assert.is(rest.status, 200);
    assert.equal(rest.body, booking);

    const names = steps[2].artifacts.map((a: { file_name: string }) => a.file_name);
    assert.equal(names, ["booking.json", "booking.ics"]);
    const ics = steps[2].artifacts[1];
    const download = await engine.api("GET", `${tasks}/${taskId}/artifacts/${ics.artifact_id}`, {
      token: key,
    });
    assert.is(download.status, 200);
    const day = bookingDay().replace(/-/g, "");
    assert.match(download.body, /BEGIN:VCALENDAR\r\n/);
    assert.match(download.body, new RegExp(`DTSTART:${day}T100000Z`));
    assert.match(download.body, new RegExp(`DTEND:${day}T103000Z`));
    assert.match(download.body, new RegExp(`UID:${booking.id}@vbwd`));
    assert.match(
      download.body,
      /ATTENDEE;CN="Jane Roe";ROLE=REQ-PARTICIPANT:mailto:jane@example.org/,
    );

    const listed = await engine.api("GET", `${tasks}/${taskId}/artifacts`, { token: key });
    assert.equal(
      listed.body.artifacts.map((a: { file_name: string }) => a.file_name),
      ["slots.json", "booking.json", "booking.ics"],
    );
  });

  protocol("structured additional_input books the exact slot", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("data"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const key = await createAgentKey(engine, tenant);
    const start = slotAt("11:30");
    const { steps } = await runTask(engine, key, {
      additional_input: {
        calendarId,
        serviceId,
        start,
        customer: { name: "Ada Lovelace", email: "ada@example.org", phone: "+44 20 7946 0000" },
      },
    });
    assert.is(steps.length, 3);
    const booking = steps[2].additional_output.booking;
    assert.is(booking.start, start);
    assert.is(booking.serviceId, serviceId);
    assert.is(booking.customer.phone, "+44 20 7946 0000");
    assert.is(booking.status, "confirmed");
  });

  protocol("input it cannot act on ends with a helpful step, never a 5xx", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("vague"));
    const { calendarId, serviceId } = await createOffer(engine, tenant);
    const key = await createAgentKey(engine, tenant);
    const taken = slotAt("14:00");
    const first = await engine.api("POST", "/api/v1/bookings", {
      token: tenant.secretKey,
      body: bookingBody(calendarId, serviceId, taken),
    });
    assert.is(first.status, 201);

    const cases: [unknown, RegExp][] = [
      [{ input: "book a consultation for Jane Roe <jane@example.org>" }, /date and time/],
      [{ input: `book on ${bookingDay()} at 10:00` }, /name and email/],
      [{ input: `book a 45 minute session on ${bookingDay()} at 10:00` }, /which service/],
      [
        { input: `book on ${bookingDay()} at 14:00 for Jo <jo@example.org>` },
        /not free\. Free that day: .*14:30/,
      ],
      [{ input: "Write the word 'Washington' to a .txt file" }, /books appointments/],
      [{ input: `book on ${bookingDay()} at 99:99 for Jo <jo@example.org>` }, /time/],
    ];
    for (const [body, expected] of cases) {
      const { steps } = await runTask(engine, key, body);
      assert.is(steps.length, 1, JSON.stringify(body));
      assert.ok(steps[0].is_last);
      assert.match(steps[0].output, expected);
    }
    const bookings = await engine.api("GET", "/api/v1/bookings", { token: tenant.secretKey });
    assert.is(bookings.body.data.length, 1, "nothing was booked");

    const broken = await engine.api("POST", tasks, { token: key, rawBody: "{not json" });
    assert.is(broken.status, 400);
    assert.type(broken.body.message, "string");
    const wrongShape = await engine.api("POST", tasks, { token: key, body: { input: 42 } });
    assert.is(wrongShape.status, 422);
  });

  protocol("an uploaded artifact comes back byte for byte", async ({ engine }) => {
    const tenant = await signUpTenant(engine, nextCode("upload"));
    const key = await createAgentKey(engine, tenant);
    const created = await engine.api("POST", tasks, { token: key, body: { input: "hello" } });
    const taskId = created.body.task_id as string;
    const form = new FormData();
    form.append("file", new Blob(["Washington\n"], { type: "text/plain" }), "notes/out.txt");
    form.append("relative_path", "drafts/");
    const upload = await fetch(`${engine.url}${tasks}/${taskId}/artifacts`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: form,
    });
    assert.is(upload.status, 200);
    const artifact = (await upload.json()) as Record<string, string | boolean>;
    assert.is(artifact.file_name, "out.txt");
    assert.is(artifact.relative_path, "drafts/");
    assert.is(artifact.agent_created, false);
    const download = await engine.api(
      "GET",
      `${tasks}/${taskId}/artifacts/${artifact.artifact_id}`,
      {
        token: key,
      },
    );
    assert.is(download.status, 200);
    assert.is(download.headers.get("content-type"), "application/octet-stream");
    assert.is(download.body, "Washington\n");
    const missing = await engine.api("GET", `${tasks}/${taskId}/artifacts/nope`, { token: key });
    assert.is(missing.status, 404);
  });

  protocol("another tenant's task is a 404 and no credential is a 401", async ({ engine }) => {
    const owner = await signUpTenant(engine, nextCode("owner"));
    const other = await signUpTenant(engine, nextCode("other"));
    const ownerKey = await createAgentKey(engine, owner);
    const otherKey = await createAgentKey(engine, other);
    const { taskId } = await runTask(engine, ownerKey, { input: "hello" });

    for (const path of [
      `${tasks}/${taskId}`,
      `${tasks}/${taskId}/steps`,
      `${tasks}/${taskId}/artifacts`,
    ]) {
      const answer = await engine.api("GET", path, { token: otherKey });
      assert.is(answer.status, 404, path);
      assert.match(answer.body.message, /not found/);
    }
    const step = await engine.api("POST", `${tasks}/${taskId}/steps`, {
      token: otherKey,
      body: {},
    });
    assert.is(step.status, 404);
    const listed = await engine.api("GET", tasks, { token: otherKey });
    assert.is(listed.body.pagination.total_items, 0);

    const anonymous = await engine.api("GET", tasks);
    assert.is(anonymous.status, 401);
    const publishable = await engine.api("GET", tasks, { token: owner.publishableKey });
    assert.is(publishable.status, 403);
    const mine = await engine.api("GET", `${tasks}/${taskId}`, { token: owner.secretKey });
    assert.is(mine.status, 200, "the tenant's secret key sees its agent's tasks");
  });

  protocol.run();
}

for (const dialect of dialectsUnderTest()) {
  interface BoundContext extends Context {
    restoreLimits: () => void;
  }
  const bounded = suite<BoundContext>(`gateway: Agent Protocol task bounds (${dialect.name})`);

  bounded.before(async (context) => {
    context.restoreLimits = useAgentTaskLimits({
      maxTasksPerTenant: 2,
      retentionMs: 1500,
      sweepEveryMs: 0,
      maxArtifactBytes: 1024,
    });
    context.scratch = await dialect.create("agent_bounds");
    context.engine = await startTestEngine(context.scratch.target);
  });

  bounded.after(async ({ engine, scratch, restoreLimits }) => {
    await engine?.stop();
    await scratch?.drop();
    restoreLimits();
  });

  const create = async (engine: TestEngine, key: string, input: string) => {
    const created = await engine.api("POST", tasks, { token: key, body: { input } });
    assert.is(created.status, 200, JSON.stringify(created.body));
    return created.body.task_id as string;
  };

  bounded(
    "a tenant keeps its newest tasks past the bound; expired tasks are not served, then purged",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, nextCode("bound"));
      const other = await signUpTenant(engine, nextCode("bound-other"));
      const key = await createAgentKey(engine, tenant);
      const otherKey = await createAgentKey(engine, other);
      const otherTask = await create(engine, otherKey, "hello");
      const [first, second, third] = [
        await create(engine, key, "one"),
        await create(engine, key, "two"),
        await create(engine, key, "three"),
      ];
      assert.is((await engine.api("GET", `${tasks}/${first}`, { token: key })).status, 404);
      const listed = await engine.api("GET", tasks, { token: key });
      assert.equal(
        listed.body.tasks.map((task: { task_id: string }) => task.task_id),
        [second, third],
      );
      // The other tenant's task does not count against this tenant's bound, and stays.
      assert.is(
        (await engine.api("GET", `${tasks}/${otherTask}`, { token: otherKey })).status,
        200,
      );
      assert.is((await rowsOf(engine, "agent_tasks", { id: first })).length, 0);

      await new Promise((resolve) => setTimeout(resolve, 1600));
      assert.is((await engine.api("GET", `${tasks}/${second}`, { token: key })).status, 404);
      assert.is((await engine.api("GET", tasks, { token: key })).body.pagination.total_items, 0);
      // Adding a task deletes the expired rows of every tenant.
      await create(engine, otherKey, "fresh");
      for (const id of [second, third, otherTask]) {
        assert.is((await rowsOf(engine, "agent_tasks", { id })).length, 0, id);
      }
    },
  );

  bounded(
    "an upload past the size bound is a 413 that changes nothing; another tenant cannot read it",
    async ({ engine }) => {
      const tenant = await signUpTenant(engine, nextCode("upload"));
      const other = await signUpTenant(engine, nextCode("upload-other"));
      const key = await createAgentKey(engine, tenant);
      const otherKey = await createAgentKey(engine, other);
      const taskId = await create(engine, key, "hello");
      const upload = (bytes: number) => {
        const form = new FormData();
        form.set("file", new Blob(["x".repeat(bytes)], { type: "text/plain" }), "notes.txt");
        return fetch(`${engine.url}${tasks}/${taskId}/artifacts`, {
          method: "POST",
          headers: { authorization: `Bearer ${key}` },
          body: form,
        });
      };
      const db = engine.engine.services.db;
      const before = await snapshotTables(db);
      const tooLarge = await upload(2048);
      assert.is(tooLarge.status, 413);
      const refusal = (await tooLarge.json()) as { error: { code: string } };
      assert.is(refusal.error.code, "payload_too_large");
      assert.is(await snapshotTables(db), before);

      const stored = await upload(100);
      assert.is(stored.status, 200);
      const { artifact_id: artifactId } = (await stored.json()) as { artifact_id: string };
      const path = `${tasks}/${taskId}/artifacts/${artifactId}`;
      const mine = await fetch(engine.url + path, { headers: { authorization: `Bearer ${key}` } });
      assert.is(await mine.text(), "x".repeat(100));
      const foreign = await fetch(engine.url + path, {
        headers: { authorization: `Bearer ${otherKey}` },
      });
      assert.is(foreign.status, 404);
    },
  );

  bounded.run();
}
