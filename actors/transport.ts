import { Agent, createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { ActorError, actorErrors, actorErrorCodes, type ActorErrorCode } from "./actor-error.js";

/** An ask as it travels between nodes. */
export interface ForwardedAsk {
  key: string;
  messageId: string;
  message: unknown;
  timeoutMs: number;
}

/** An error as it travels: runtime errors keep their code, others go through the codec. */
export type SerializedError =
  | { type: "actor"; code: ActorErrorCode; message: string; retryable: boolean }
  | { type: "app"; code: string; message: string; details?: unknown }
  | { type: "error"; message: string };

/** Turns the engine's own errors into plain data and back. */
export interface ErrorCodec {
  encode(err: unknown): SerializedError | undefined;
  decode(error: SerializedError): Error | undefined;
}

type AskAnswer = { ok: true; reply: unknown } | { ok: false; error: SerializedError };

const askPath = "/actors/ask";
const maxBodyBytes = 1 << 20;

/**
 * Node-to-node forwarding over HTTP/1.1 with keep-alive: a direct hop to the owner, no broker
 * in between, and a bearer token shared by the cluster's nodes.
 */
export class HttpTransport {
  private server: Server | undefined;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });
  private readonly token: Buffer;
  private readonly codec: ErrorCodec | undefined;

  constructor(token: string, codec?: ErrorCodec) {
    this.token = Buffer.from(token);
    this.codec = codec;
  }

  /** Serves forwarded asks on `host:port` (0 picks a port); returns the port. */
  async listen(host: string, port: number, onAsk: (ask: ForwardedAsk) => Promise<unknown>) {
    this.server = createServer((req, res) => {
      void this.serve(req, onAsk).then((answer) => {
        const body = JSON.stringify(answer);
        res.writeHead(200, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once("error", reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  /** Sends an ask to the node at `address`; resolves with the reply or throws its error. */
  send(node: string, address: string, ask: ForwardedAsk): Promise<unknown> {
    const body = JSON.stringify(ask);
    return new Promise((resolve, reject) => {
      const outgoing = request(address + askPath, {
        method: "POST",
        agent: this.agent,
        timeout: ask.timeoutMs,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${this.token.toString()}`,
        },
      });
      outgoing.on("timeout", () => {
        outgoing.destroy(actorErrors.askTimeout(ask.key, ask.timeoutMs));
      });
      outgoing.on("error", (err) =>
        reject(err instanceof ActorError ? err : actorErrors.transport(node, err)),
      );
      outgoing.on("response", (response) => {
        readBody(response).then((text) => {
          const answer = JSON.parse(text) as AskAnswer;
          if (answer.ok) resolve(answer.reply);
          else reject(this.decode(answer.error));
        }, reject);
      });
      outgoing.end(body);
    });
  }

  /** Frees the client's connections; call after `stopServing` once nothing is sent. */
  close(): void {
    this.agent.destroy();
  }

  /** Stops serving forwards: new connections are refused, open ones finish. */
  async stopServing(): Promise<void> {
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }

  private async serve(req: IncomingMessage, onAsk: (ask: ForwardedAsk) => Promise<unknown>) {
    try {
      if (req.method !== "POST" || req.url !== askPath) throw new Error("unknown internal route");
      if (!this.authorized(req.headers.authorization)) throw new Error("bad cluster token");
      const ask = JSON.parse(await readBody(req)) as ForwardedAsk;
      return { ok: true, reply: await onAsk(ask) } satisfies AskAnswer;
    } catch (err) {
      return { ok: false, error: this.encode(err) } satisfies AskAnswer;
    }
  }

  private authorized(header: string | undefined): boolean {
    const presented = Buffer.from(header?.replace(/^Bearer /, "") ?? "");
    return presented.length === this.token.length && timingSafeEqual(presented, this.token);
  }

  private encode(err: unknown): SerializedError {
    if (err instanceof ActorError) {
      return { type: "actor", code: err.code, message: err.message, retryable: err.retryable };
    }
    const encoded = this.codec?.encode(err);
    if (encoded) return encoded;
    return { type: "error", message: err instanceof Error ? err.message : String(err) };
  }

  private decode(error: SerializedError): Error {
    if (error.type === "actor" && actorErrorCodes.includes(error.code)) {
      return new ActorError(error.code, error.message, error.retryable);
    }
    return this.codec?.decode(error) ?? new Error(error.message);
  }
}

function readBody(stream: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) stream.destroy(new Error("forwarded message too large"));
      else chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    stream.on("error", reject);
  });
}
