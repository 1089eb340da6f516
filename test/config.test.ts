import { suite } from "uvu";
import * as assert from "uvu/assert";
import { ConfigError, loadConfig } from "../src/config.js";

const config = suite("config");

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error("expected a ConfigError");
}

config("defaults to SQLite under ./data, port 3000, single node, demo tenant on", () => {
  const loaded = loadConfig({});
  assert.equal(loaded.database, { dialect: "sqlite", path: "./data/vbwd.sqlite" });
  assert.is(loaded.port, 3000);
  assert.is(loaded.host, "0.0.0.0");
  assert.is(loaded.redisUrl, undefined);
  assert.is(loaded.demoTenant, true);
  assert.is(loaded.logLevel, "info");
});

config("reads a MySQL URL with its database name and turns the demo tenant off", () => {
  const loaded = loadConfig({ DATABASE_URL: "mysql://root:pw@127.0.0.1:3306/vbwd" });
  assert.is(loaded.database.dialect, "mysql");
  assert.is(loaded.database.dialect === "mysql" && loaded.database.database, "vbwd");
  assert.is(loaded.demoTenant, false);
});

config("reads sqlite:PATH", () => {
  const loaded = loadConfig({ DATABASE_URL: "sqlite:/tmp/x.sqlite" });
  assert.equal(loaded.database, { dialect: "sqlite", path: "/tmp/x.sqlite" });
});

config("names the variable and the expected form for a bad port", () => {
  const [problem] = problemsOf({ PORT: "eighty" });
  assert.match(problem ?? "", /^PORT: expected a port number/);
});

config("refuses an unknown database scheme, without echoing credentials", () => {
  const [problem] = problemsOf({ DATABASE_URL: "postgres://user:secret@host/db" });
  assert.match(problem ?? "", /^DATABASE_URL: expected sqlite:PATH or mysql:\/\//);
  assert.not.match(problem ?? "", /secret/);
});

config("refuses a MySQL URL without a database name", () => {
  const [problem] = problemsOf({ DATABASE_URL: "mysql://root@127.0.0.1:3306" });
  assert.match(problem ?? "", /^DATABASE_URL: expected a database name/);
});

config("refuses short secrets and a bad log level, listing every problem", () => {
  const problems = problemsOf({ JWT_SECRET: "short", LOG_LEVEL: "loud", REDIS_URL: "localhost" });
  assert.is(problems.length, 3);
  assert.ok(problems.some((p) => p.startsWith("JWT_SECRET: expected at least 32 characters")));
  assert.ok(problems.some((p) => p.startsWith("LOG_LEVEL: expected one of")));
  assert.ok(problems.some((p) => p.startsWith("REDIS_URL: expected redis://")));
});

config("refuses a base domain that is not a lowercase domain name", () => {
  const [problem] = problemsOf({ BASE_DOMAIN: "https://Example.com/" });
  assert.match(problem ?? "", /^BASE_DOMAIN: expected a lowercase domain name/);
});

config.run();
