import { mkdtempSync } from "node:fs";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormatsPlugin from "ajv-formats";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig, type Config, type DatabaseTarget } from "../../src/config.js";
import { useRateLimitPolicy } from "../../src/gateway/http/rate-limit.js";
import { startEngine, type RunningEngine } from "../../src/main.js";

// Suites make hundreds of calls a minute from one address; the rate limit suite sets its own.
useRateLimitPolicy({
  tenantPerMinute: () => 1_000_000,
  signupPerMinute: 1_000_000,
  loginPerMinute: 1_000_000,
  unidentifiedPerMinute: 1_000_000,
});

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
  const checked = checkedPath.test(path);
  // The document is read before the first checked call, while the engine surely serves.
  if (checked) await answerChecksFor(base);
  const response = await fetch(base + path, { method, headers, body });
  const text = await response.text();
  const isJson = response.headers.get("content-type")?.includes("json");
  const answer = {
    status: response.status,
    headers: response.headers,
    body: isJson ? JSON.parse(text) : text,
  };
  if (isJson && checked) await checkAnswer(base, method, path, answer);
  return answer;
}

/** The calls whose JSON answers must match the engine's OpenAPI document. */
const checkedPath = /^\/(api\/v1|v1\/widget)\//;

/** One operation of the document, ready to check answers with. */
interface CheckedOperation {
  method: string;
  template: string;
  pattern: RegExp;
  /** Success answers' validators by status. */
  success: Map<string, () => ValidateFunction>;
}

/** What the document of one engine checks answers against. */
interface AnswerChecks {
  operations: CheckedOperation[];
  error: () => ValidateFunction;
}

const checksByEngine = new Map<string, Promise<AnswerChecks>>();

/**
 * Throws when an answer does not have the shape the engine's `/openapi.json` promises:
 * a 2xx the schema of its operation's status, anything from 400 up the shared Error shape.
 */
export async function checkAnswer(base: string, method: string, path: string, answer: ApiAnswer) {
  const { operations, error } = await answerChecksFor(base);
  const call = `${method} ${path} answered ${answer.status}`;

  if (answer.status >= 400)
    return assertValid(error(), answer.body, `${call}: not the Error shape`);
  if (answer.status < 200 || answer.status >= 300) return;
  const operation = operationFor(operations, method, path);
  if (!operation) throw new Error(`${call}, but /openapi.json has no such operation`);
  const validate = operation.success.get(String(answer.status))?.();
  if (!validate) {
    throw new Error(`${call}; /openapi.json lists ${[...operation.success.keys()].join(", ")}`);
  }
  assertValid(validate, answer.body, `${call}: not the shape of ${operation.template}`);
}

function assertValid(validate: ValidateFunction, body: unknown, what: string): void {
  if (validate(body)) return;
  const problems = (validate.errors ?? [])
    .map((problem) => `${problem.instancePath || "/"} ${problem.message}`)
    .join("; ");
  throw new Error(`${what} (${problems}): ${JSON.stringify(body).slice(0, 500)}`);
}

/** The operation a call reaches: the matching template with the fewest parameters. */
function operationFor(operations: CheckedOperation[], method: string, path: string) {
  const bare = path.split("?")[0]!;
  const matches = operations.filter(
    (operation) => operation.method === method.toLowerCase() && operation.pattern.test(bare),
  );
  const parameters = (template: string) => template.split("{").length;
  return matches.sort((a, b) => parameters(a.template) - parameters(b.template))[0];
}

/** The checks of the engine at `base`, read once; a failed read is tried again next time. */
function answerChecksFor(base: string): Promise<AnswerChecks> {
  let checks = checksByEngine.get(base);
  if (!checks) {
    checks = loadAnswerChecks(base);
    checksByEngine.set(base, checks);
    checks.catch(() => checksByEngine.delete(base));
  }
  return checks;
}

async function loadAnswerChecks(base: string): Promise<AnswerChecks> {
  const response = await fetch(`${base}/openapi.json`);
  if (!response.ok) throw new Error(`GET /openapi.json answered ${response.status}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON document
  const document: any = await response.json();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormatsPlugin as unknown as (ajv: Ajv2020) => void)(ajv);

  const operations: CheckedOperation[] = [];
  for (const [template, item] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(item)) {
      const success = new Map<string, () => ValidateFunction>();
      for (const [status, response] of Object.entries<any>(operation.responses)) {
        const schema = response.content?.["application/json"]?.schema;
        if (/^2\d\d$/.test(status) && schema) success.set(status, compileOnce(ajv, schema));
      }
      operations.push({ method, template, pattern: templatePattern(template), success });
    }
  }
  return { operations, error: compileOnce(ajv, document.components.schemas.Error) };
}

/** A validator compiled when first needed: compiling every schema up front takes a while. */
function compileOnce(ajv: Ajv2020, schema: object): () => ValidateFunction {
  let validate: ValidateFunction | undefined;
  return () => (validate ??= ajv.compile(schema));
}

/** `/api/v1/keys/{id}` as a pattern of whole paths. */
function templatePattern(template: string): RegExp {
  const escaped = template.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped.replace(/\\?\{[^}]+\\?\}/g, "[^/]+")}$`);
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

/** Makes an agent key (`ak_…`) for the tenant with its secret key. */
export async function createAgentKey(engine: TestEngine, tenant: TestTenant): Promise<string> {
  const answer = await engine.api("POST", "/api/v1/keys", {
    token: tenant.secretKey,
    body: { kind: "agent" },
  });
  if (answer.status !== 201) throw new Error(`agent key: ${JSON.stringify(answer.body)}`);
  return answer.body.key as string;
}
