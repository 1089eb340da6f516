import { request } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { findDashboardFolder } from "../../src/gateway/http/dashboard-assets.js";
import { dialectsUnderTest, type ScratchDatabase } from "../support/databases.js";
import { startTestEngine, type TestEngine } from "../support/engine.js";

interface Context {
  scratch: ScratchDatabase;
  engine: TestEngine;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const sqlite = dialectsUnderTest().find((dialect) => dialect.name === "sqlite")!;
const assets = suite<Context>("gateway: the dashboard's files");

assets.before(async (context) => {
  context.scratch = await sqlite.create("dashboard-assets");
  context.engine = await startTestEngine(context.scratch.target);
});

assets.after(async ({ engine, scratch }) => {
  await engine?.stop();
  await scratch?.drop();
});

assets(
  "GET /dashboard answers the page, and its files with their types, never cached",
  async ({ engine }) => {
    const expected: [string, string, string][] = [
      ["/dashboard", "text/html", "<!doctype html>"],
      ["/dashboard/", "text/html", "<!doctype html>"],
      ["/dashboard/dashboard.js", "text/javascript", "connectLiveFeed"],
      ["/dashboard/dashboard.css", "text/css", ".booking"],
    ];
    for (const [path, type, excerpt] of expected) {
      const answer = await engine.api("GET", path);
      assert.is(answer.status, 200, path);
      assert.match(answer.headers.get("content-type") ?? "", type, path);
      assert.is(answer.headers.get("cache-control"), "no-cache", path);
      assert.match(answer.body, excerpt, path);
    }
  },
);

assets(
  "the page's scripts and styles come from its own origin, as the CSP demands",
  async ({ engine }) => {
    const page = await engine.api("GET", "/dashboard");
    const csp = page.headers.get("content-security-policy") ?? "";
    assert.match(csp, "script-src 'self'");
    assert.not.match(
      page.body,
      /<script>|<style>|\son[a-z]+=/,
      "no inline script, style or handler",
    );
    const client = await engine.api("GET", "/socket.io/socket.io.esm.min.js");
    assert.is(client.status, 200, "Socket.IO serves its browser client");
  },
);

assets(
  "only the folder's own files are served: other names and ../ are 404",
  async ({ engine }) => {
    const paths = [
      "/dashboard/missing.js",
      "/dashboard/../package.json",
      "/dashboard/%2e%2e/package.json",
      "/dashboard/..%2fpackage.json",
      "/dashboard/.gitkeep",
      "/dashboard/dashboard.js/x",
    ];
    for (const path of paths) {
      const answer = await rawGet(engine.url, path);
      assert.is(answer.status, 404, path);
      assert.is(JSON.parse(answer.body).error.code, "not_found", path);
    }
  },
);

assets("other methods are 405 with Allow", async ({ engine }) => {
  const answer = await engine.api("POST", "/dashboard", { body: {} });
  assert.is(answer.status, 405);
  assert.is(answer.headers.get("allow"), "GET, HEAD");
  assert.is(answer.body.error.code, "method_not_allowed");
});

assets("the folder is found from src/ and from the compiled dist/src/", () => {
  const folder = join(root, "widget", "dashboard");
  assert.is(findDashboardFolder(join(root, "src", "gateway", "http")), folder);
  assert.is(findDashboardFolder(join(root, "dist", "src", "gateway", "http")), folder);
  assert.is(findDashboardFolder(), folder);
});

assets.run();

/** A GET with the path sent exactly as written (fetch would resolve `..` first). */
function rawGet(base: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(base, { path, method: "GET" });
    outgoing.on("response", (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}
