import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the engine made to the stand-in, with its form body decoded into objects. */
export interface StripeCall {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey: string | undefined;
}

/** Answers one call: a JSON object (200), or `{ status, body }` for another status. */
export type StripeHandler = (
  call: StripeCall,
) => Record<string, unknown> | { status: number; body: Record<string, unknown> };

/**
 * A local HTTP stand-in for Stripe's API, for tests that point the engine's `stripe` client at
 * it with `STRIPE_API_URL`. It records every call. Unregistered `POST`s create an object from
 * their parameters (an id with the resource's prefix, `object`, `created`, and the parameters);
 * `GET`s answer a created object by id, or 404 in Stripe's error shape. Register a handler with
 * `on` where a test needs a particular answer.
 */
export class StripeStandIn {
  readonly calls: StripeCall[] = [];
  private readonly objects = new Map<string, Record<string, unknown>>();
  private readonly handlers: { method: string; pattern: RegExp; handler: StripeHandler }[] = [];
  private server: Server | undefined;
  url = "";

  /** Answers `method` requests whose path matches `pattern` (a string matches exactly). */
  on(method: string, pattern: string | RegExp, handler: StripeHandler): this {
    const regex = typeof pattern === "string" ? new RegExp(`^${escape(pattern)}$`) : pattern;
    this.handlers.unshift({ method: method.toUpperCase(), pattern: regex, handler });
    return this;
  }

  /** Calls made to paths matching `pattern`, oldest first. */
  callsTo(method: string, pattern: string | RegExp): StripeCall[] {
    const regex = typeof pattern === "string" ? new RegExp(`^${escape(pattern)}$`) : pattern;
    return this.calls.filter((call) => call.method === method && regex.test(call.path));
  }

  /** Keeps an object so later `GET`s of its id answer it (and returns it). */
  store(object: Record<string, unknown>): Record<string, unknown> {
    this.objects.set(String(object.id), object);
    return object;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.answer(request).then(({ status, body }) => {
        response.writeHead(status, {
          "content-type": "application/json",
          "request-id": `req_${randomBytes(6).toString("hex")}`,
        });
        response.end(JSON.stringify(body));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async answer(request: IncomingMessage) {
    const url = new URL(request.url ?? "/", "http://stand-in");
    const raw = await readBody(request);
    const form = new URLSearchParams(request.method === "GET" ? url.search : raw);
    const call: StripeCall = {
      method: request.method ?? "GET",
      path: url.pathname,
      params: decodeForm(form),
      idempotencyKey: header(request, "idempotency-key"),
    };
    this.calls.push(call);
    const custom = this.handlers.find(
      (entry) => entry.method === call.method && entry.pattern.test(call.path),
    );
    if (custom) {
      const result = custom.handler(call);
      return "status" in result && "body" in result && typeof result.status === "number"
        ? (result as { status: number; body: Record<string, unknown> })
        : { status: 200, body: result as Record<string, unknown> };
    }
    return this.defaultAnswer(call);
  }

  private defaultAnswer(call: StripeCall): { status: number; body: Record<string, unknown> } {
    const segments = call.path.split("/").filter(Boolean).slice(1);
    const idAt = segments.findLastIndex((segment) => /\d/.test(segment));
    if (idAt >= 0) {
      // `GET /v1/x/<id>`, `POST /v1/x/<id>` (update) or `POST /v1/x/<id>/<action>`.
      const known = this.objects.get(segments[idAt]!);
      if (!known) return missing(segments[idAt]!);
      if (call.method === "POST") Object.assign(known, call.params);
      return { status: 200, body: known };
    }
    if (call.method === "POST") {
      const resource = segments.join(".");
      const object = this.store({
        id: `${prefixOf(resource)}_test_${randomBytes(8).toString("hex")}`,
        object: objectNameOf(resource),
        created: Math.floor(Date.now() / 1000),
        livemode: false,
        ...call.params,
      });
      if (resource.endsWith("sessions")) object.url ??= `${this.url}/pay/${String(object.id)}`;
      return { status: 200, body: object };
    }
    return missing(call.path);
  }
}

/** Starts a stand-in on a free loopback port. */
export function startStripeStandIn(): Promise<StripeStandIn> {
  return new StripeStandIn().start();
}

function missing(what: string) {
  return {
    status: 404,
    body: {
      error: {
        type: "invalid_request_error",
        code: "resource_missing",
        message: `No such object: '${what}'`,
      },
    },
  };
}

const prefixes: Record<string, string> = {
  customers: "cus",
  "checkout.sessions": "cs",
  "billing_portal.sessions": "bps",
  subscriptions: "sub",
  refunds: "re",
  payment_intents: "pi",
  invoices: "in",
  "billing.meter_events": "mtre",
  subscription_items: "si",
  prices: "price",
  products: "prod",
};

function prefixOf(resource: string): string {
  return prefixes[resource] ?? resource.replace(/[^a-z]/g, "").slice(0, 4);
}

function objectNameOf(resource: string): string {
  return resource.replace(/ies$/, "y").replace(/s$/, "");
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** Stripe's form encoding (`metadata[tenant_id]=t`, `line_items[0][price]=p`) as objects. */
export function decodeForm(form: URLSearchParams): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of form) {
    const path = key.replace(/\]/g, "").split("[");
    let node: Record<string, unknown> = root;
    path.forEach((segment, index) => {
      if (index === path.length - 1) {
        node[segment] = value;
        return;
      }
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    });
  }
  return arraysOf(root) as Record<string, unknown>;
}

/** Objects whose keys are 0, 1, 2, … become arrays, all the way down. */
function arraysOf(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, inner]) => [key, arraysOf(inner)] as const,
  );
  const indexed = entries.length > 0 && entries.every(([key], index) => key === String(index));
  return indexed ? entries.map(([, inner]) => inner) : Object.fromEntries(entries);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
