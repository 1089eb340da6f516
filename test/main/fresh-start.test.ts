import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { callApi } from "../support/engine.js";
import { bareEnv, runEngineCommand, startEngineProcess } from "../support/engine-process.js";

const freshStart = suite<{ cwd: string; adminToken: string; publishableKey: string }>(
  "main: npm start on a machine with nothing configured",
);

freshStart.before((context) => {
  context.cwd = mkdtempSync(join(tmpdir(), "vbwd-fresh-"));
});

freshStart.after(({ cwd }) => rmSync(cwd, { recursive: true, force: true }));

const env = () => bareEnv({ PORT: "0", LOG_LEVEL: "warn" });

freshStart(
  "first start migrates SQLite, creates the demo tenant and prints its keys",
  async (context) => {
    const engine = await startEngineProcess(context.cwd, env());
    try {
      const banner = engine.stdout();
      assert.match(engine.url, /^http:\/\/localhost:\d+$/);
      assert.match(banner, /database:\s+SQLite \.\/data\/vbwd\.sqlite/);
      assert.match(banner, /docs:/);
      const admin = /platform admin token \(shown once, keep it\): (\S+)/.exec(banner);
      const publishable = /publishable key:\s+(pk_live_\S+)/.exec(banner);
      const login = /staff login:\s+(\S+) \/ (\S+)/.exec(banner);
      assert.ok(admin && publishable && login, banner);
      assert.match(banner, /demo tenant "demo" \(created now\)/);
      context.adminToken = admin[1] ?? "";
      context.publishableKey = publishable[1] ?? "";

      assert.is((await callApi(engine.url, "GET", "/healthz")).status, 200);
      const ready = await callApi(engine.url, "GET", "/readyz");
      assert.is(ready.status, 200);
      assert.equal(ready.body.checks, { database: "ok" });

      const widget = await callApi(engine.url, "GET", "/v1/widget/demo/config", {
        headers: { "x-api-key": context.publishableKey },
      });
      assert.is(widget.status, 200);
      assert.equal(
        widget.body.services.map((s: { name: string }) => s.name),
        ["Consultation"],
      );
      assert.is(widget.body.services[0].durationMinutes, 30);
      assert.is(widget.body.services[0].calendarIds.length, 1);

      const session = await callApi(engine.url, "POST", "/api/v1/auth/login", {
        body: { tenantCode: "demo", email: login[1], password: login[2] },
      });
      assert.is(session.status, 200);
    } finally {
      assert.is(await engine.stop("SIGTERM"), 0);
    }
  },
);

freshStart(
  "a second start reuses the demo tenant, its keys and the admin token",
  async (context) => {
    const engine = await startEngineProcess(context.cwd, env());
    try {
      const banner = engine.stdout();
      assert.not.match(banner, /created now/);
      assert.not.match(banner, /shown once/);
      assert.ok(banner.includes(context.publishableKey), "the same publishable key is shown");
      const admin = await callApi(engine.url, "GET", "/api/v1/admin/tenants", {
        token: context.adminToken,
      });
      assert.is(admin.status, 200);
      assert.equal(
        admin.body.data.map((t: { code: string }) => t.code),
        ["demo"],
      );
    } finally {
      assert.is(await engine.stop("SIGINT"), 0);
    }
  },
);

freshStart("npm run migrate applies the schema once, then reports it up to date", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "vbwd-migrate-"));
  try {
    const first = await runEngineCommand(cwd, env(), ["--migrate-only"]);
    assert.is(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      /sqlite schema applied Migration\d+_initial, Migration\d+_seed_plans/,
    );
    const second = await runEngineCommand(cwd, env(), ["--migrate-only"]);
    assert.match(second.stdout, /sqlite schema already up to date/);
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
});

freshStart(
  "a bad setting stops the start with the variable and the expected form",
  async (context) => {
    const result = await runEngineCommand(
      context.cwd,
      bareEnv({ PORT: "eighty", LOG_LEVEL: "silent" }),
    );
    assert.is(result.code, 2);
    assert.match(result.stderr, /PORT: expected a port number \(got "eighty"\)/);
  },
);

freshStart.run();
