import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createOffer } from "../support/booking-fixtures.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { signUpTenant, startTestEngine, type TestEngine } from "../support/engine.js";

/** The scenarios any booking server must pass with its own tools, resources and prompts. */
const genericScenarios = [
  "server-initialize",
  "ping",
  "logging-set-level",
  "completion-complete",
  "tools-list",
  "tools-call-error",
  "server-sse-multiple-streams",
  "resources-list",
  "prompts-list",
  "dns-rebinding-protection",
];

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
  resultsDir: string;
}

interface Check {
  status: "SUCCESS" | "FAILURE" | "WARNING" | "INFO" | "SKIPPED";
}

/** Runs the official suite against `url`; resolves with its exit code and output. */
function runConformance(url: string, resultsDir: string) {
  const bin = join("node_modules", ".bin", "conformance");
  const args = ["server", "--url", url];
  args.push("--expected-failures", join("test", "mcp-expected-failures.yml"), "-o", resultsDir);
  return new Promise<{ code: number | null; output: string }>((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

/** Each scenario's checks, from the `server-<scenario>-<time>/checks.json` files written. */
function checksByScenario(resultsDir: string): Map<string, Check[]> {
  const found = new Map<string, Check[]>();
  for (const folder of readdirSync(resultsDir)) {
    const scenario = /^server-(.+)-\d{4}-\d\d-\d\dT/.exec(folder)?.[1];
    if (!scenario) continue;
    const text = readFileSync(join(resultsDir, folder, "checks.json"), "utf8");
    found.set(scenario, JSON.parse(text) as Check[]);
  }
  return found;
}

const passed = (checks: Check[]) =>
  checks.length > 0 && checks.every((c) => c.status !== "FAILURE" && c.status !== "WARNING");

const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
const conformance = suite<Context>("gateway: MCP conformance suite on the public endpoint");

conformance.before(async (context) => {
  context.scratch = await sqlite.create("mcp-conformance");
  context.engine = await startTestEngine(context.scratch.target);
  context.resultsDir = mkdtempSync(join(tmpdir(), "vbwd-mcp-conformance-"));
});

conformance.after(async ({ engine, scratch, resultsDir }) => {
  await engine.stop();
  await scratch.drop();
  rmSync(resultsDir, { recursive: true, force: true });
});

conformance("passes every generic scenario; only fixture scenarios fail", async (context) => {
  const { engine, resultsDir } = context;
  const tenant = await signUpTenant(engine, "conformance");
  await createOffer(engine, tenant);

  const run = await runConformance(`${engine.url}/mcp/t/${tenant.code}`, resultsDir);
  assert.is(run.code, 0, run.output.slice(-3000));

  const checks = checksByScenario(resultsDir);
  for (const scenario of genericScenarios) {
    const found = checks.get(scenario);
    assert.ok(found, `${scenario} did not run`);
    assert.ok(passed(found), `${scenario}: ${JSON.stringify(found).slice(0, 1500)}`);
  }
});

conformance.run();
