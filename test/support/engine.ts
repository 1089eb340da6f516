import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config, type DatabaseTarget } from "../../src/config.js";
import { startEngine, type RunningEngine } from "../../src/main.js";

/** The operator token test engines are started with. */
export const testAdminToken = "test-platform-admin-token-0123456789";

/** An answer from the engine, with its body parsed when it is JSON. */
export interface ApiAnswer {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read any field
  body: any;
}

/** How a test request is made. */
export interface ApiRequest {
  body?: unknown;
  /** Sent as is, with the content type below (default application/json). */
  rawBody?: string;
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
}

/** A running engine for a test, and a small client for it. */
export interface TestEngine {
  engine: RunningEngine;
  url: string;
  config: Config;
  api(method: string, path: string, request?: ApiRequest): Promise<ApiAnswer>;
  stop(): Promise<void>;
}

/** Starts an engine on a free port of 127.0.0.1 against `target`. */
export async function startTestEngine(
  target: DatabaseTarget,
  env: Record<string, string> = {},
): Promise<TestEngine> {
  const config = {
    ...loadConfig({
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: process.env.LOG_LEVEL ?? "silent",
      PLATFORM_ADMIN_TOKEN: testAdminToken,
      DEMO_TENANT: "false",
      DATA_DIR: mkdtempSync(join(tmpdir(), "vbwd-data-")),
      ...env,
    }),
    database: target,
  };
  const engine = await startEngine(config);
  const url = `http://127.0.0.1:${engine.port}`;
  return { engine, url, config, api: (m, p, r) => callApi(url, m, p, r), stop: engine.stop };
}

/** Makes one HTTP request and parses a JSON answer. */
export async function callApi(
  base: string,
  method: string,
  path: string,
  request: ApiRequest = {},
): Promise<ApiAnswer> {
  const headers: Record<string, string> = { ...request.headers };
  if (request.token) headers["authorization"] = `Bearer ${request.token}`;
  let body: string | undefined;
  if (request.rawBody !== undefined || request.body !== undefined) {
    body = request.rawBody ?? JSON.stringify(request.body);
    headers["content-type"] = request.contentType ?? "application/json";
  }
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.includes("json");
  return {
    status: response.status,
    headers: response.headers,
    body: isJson ? JSON.parse(text) : text,
  };
}

/** What a signup returns, for tests that need a tenant. */
export interface TestTenant {
  id: string;
  code: string;
  secretKey: string;
  publishableKey: string;
  email: string;
  password: string;
}

/** Signs up a tenant with a fresh code and returns its credentials. */
export async function signUpTenant(engine: TestEngine, code: string): Promise<TestTenant> {
  const email = `owner@${code}.example.org`;
  const password = "correct horse battery";
  const answer = await engine.api("POST", "/api/v1/signup", {
    body: { tenantCode: code, name: `Tenant ${code}`, businessType: "medical", email, password },
  });
  if (answer.status !== 201) throw new Error(`signup failed: ${JSON.stringify(answer.body)}`);
  const { tenant, keys } = answer.body;
  return {
    id: tenant.id,
    code,
    secretKey: keys.secret,
    publishableKey: keys.publishable,
    email,
    password,
  };
}

/** A GET with a chosen Host header (fetch will not send one), answering status and JSON. */
export async function getWithHost(base: string, path: string, host: string, token: string) {
  const { request } = await import("node:http");
  return new Promise<{ status: number; body: ApiAnswer["body"] }>((resolve, reject) => {
    const outgoing = request(base + path, { headers: { host, authorization: `Bearer ${token}` } });
    outgoing.on("response", (response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => (text += chunk.toString()));
      response.on("end", () =>
        resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }),
      );
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}
