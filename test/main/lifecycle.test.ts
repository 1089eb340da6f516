import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { dialectsUnderTest } from "../support/databases.js";
import { callApi, startTestEngine } from "../support/engine.js";
import { bareEnv, startEngineProcess } from "../support/engine-process.js";
import { redisUrl, warnSkipped } from "../support/services.js";

const lifecycle = suite("main: readiness and graceful shutdown");
const [sqlite] = dialectsUnderTest();

lifecycle("readiness checks Redis when it is configured", async () => {
  const url = redisUrl();
  if (!url) return warnSkipped("Redis readiness test", "REDIS_URL is not set");
  const scratch = await sqlite!.create("ready_redis");
  const engine = await startTestEngine(scratch.target, { REDIS_URL: url });
  try {
    let ready = await engine.api("GET", "/readyz");
    for (let i = 0; i < 20 && ready.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      ready = await engine.api("GET", "/readyz");
    }
    assert.is(ready.status, 200);
    assert.equal(ready.body.checks, { database: "ok", redis: "ok" });
  } finally {
    await engine.stop();
    await scratch.drop();
  }
});

lifecycle("an unreachable Redis makes the node not ready, but alive", async () => {
  const scratch = await sqlite!.create("ready_noredis");
  const engine = await startTestEngine(scratch.target, { REDIS_URL: "redis://127.0.0.1:1" });
  try {
    const ready = await engine.api("GET", "/readyz");
    assert.is(ready.status, 503);
    assert.is(ready.body.checks.database, "ok");
    assert.match(ready.body.checks.redis, /^failing/);
    assert.is((await engine.api("GET", "/healthz")).status, 200);
  } finally {
    await engine.stop();
    await scratch.drop();
  }
});

lifecycle("SIGTERM lets in-flight requests finish, then exits 0 and takes no more", async () => {
  const cwd = mkdtempSync(join(tmpdir(), "vbwd-sigterm-"));
  const engine = await startEngineProcess(
    cwd,
    bareEnv({ PORT: "0", LOG_LEVEL: "warn", DEMO_TENANT: "false" }),
  );
  try {
    // Open the connections first, so every signup below is on the wire when SIGTERM comes.
    await Promise.all(Array.from({ length: 40 }, () => callApi(engine.url, "GET", "/healthz")));
    let signalledAt = Number.POSITIVE_INFINITY;
    const signups = Array.from({ length: 40 }, async (_, i) => {
      const answer = await callApi(engine.url, "POST", "/api/v1/signup", {
        body: {
          tenantCode: `drain-${i}`,
          name: "D",
          businessType: "other",
          email: `d${i}@x.org`,
          password: "0123456789ab",
        },
      });
      return { status: answer.status, finishedAt: performance.now() };
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    signalledAt = performance.now();
    const exit = engine.stop("SIGTERM");

    const results = await Promise.all(signups);
    assert.equal(
      results.map((r) => r.status),
      Array(40).fill(201),
    );
    const finishedAfter = results.filter((r) => r.finishedAt > signalledAt).length;
    assert.ok(finishedAfter > 0, "no request was still in flight when SIGTERM came");
    assert.is(await exit, 0);

    const refused = await fetch(`${engine.url}/healthz`).then(
      () => "answered",
      (err: Error) => err.message,
    );
    assert.is(refused, "fetch failed");
  } finally {
    engine.child.kill("SIGKILL");
    rmSync(cwd, { recursive: true, force: true });
  }
});

lifecycle.run();
