import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got, with its Standard Webhooks headers and raw body. */
export interface ReceivedWebhook {
  /** The request's path and query. */
  url: string;
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** Decides the status a request is answered with (default 204); may take its time. */
export type ReceiverAnswer = (hook: ReceivedWebhook, index: number) => number | Promise<number>;

/**
 * A local HTTP endpoint for webhook tests: it keeps every request it got, answers with the
 * status `answer` chooses, and lets a test wait until it has seen what it expects.
 */
export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  url = "";
  answer: ReceiverAnswer = () => 204;
  private server: Server | undefined;
  private waiters: (() => void)[] = [];

  async start(): Promise<this> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  /** The parsed bodies of every request, in arrival order. */
  bodies(): { type: string; data: Record<string, unknown> }[] {
    return this.received.map((hook) => JSON.parse(hook.body));
  }

  /** Resolves once `done` holds for what arrived, or rejects after `timeoutMs`. */
  async waitFor(done: (received: ReceivedWebhook[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.received)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `the receiver saw ${this.received.length} request(s), not what was waited for`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const hook: ReceivedWebhook = {
      url: request.url ?? "/",
      headers: Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
      ),
      body: Buffer.concat(chunks).toString("utf8"),
      at: Date.now(),
    };
    const index = this.received.length;
    this.received.push(hook);
    let status = 500;
    try {
      status = await this.answer(hook, index);
    } finally {
      response.writeHead(status).end();
      for (const wake of this.waiters.splice(0)) wake();
    }
  }
}
