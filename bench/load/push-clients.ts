/**
 * The subscribers of `bench/push`, in their own process so that they do not share the event
 * loop of the server they measure. Forked with `--import tsx`; driven over IPC:
 *
 * - `{ type: "connect", … }`: opens `count` Socket.IO clients (websocket only) spread evenly
 *   over `urls`, `batch` at a time, each optionally emitting `subscribe` and awaiting its ack;
 *   answers `{ type: "ready", connected, seconds }`.
 * - every push of `event` carries a round key (`version`) and the server's `at` (ms since the
 *   epoch, taken just before the broadcast); once all `count` clients have one key, the process
 *   answers `{ type: "round", key, maxMs, firstMs, spreadMs, maxMsByUrl, received }`.
 * - `{ type: "close" }`: closes every client and exits.
 */
import { io, type Socket } from "socket.io-client";

/** Opens the clients. */
export interface ConnectCommand {
  type: "connect";
  urls: string[];
  count: number;
  batch: number;
  event: string;
  auth?: Record<string, string>;
  /** Emitted as `subscribe` with an ack after connecting, when set. */
  subscribe?: Record<string, unknown>;
}

/** What the parent sends. */
export type ClientCommand = ConnectCommand | { type: "close" };

/** What this process reports. */
export type ClientReport =
  | { type: "ready"; connected: number; seconds: number }
  | {
      type: "round";
      key: number;
      /** Latency of the last client and of the first, ms. */
      maxMs: number;
      firstMs: number;
      /** From the first receipt to the last, by the monotonic clock, ms. */
      spreadMs: number;
      /** The last client's latency among those of each URL, ms. */
      maxMsByUrl: number[];
      received: number;
    }
  | { type: "failed"; message: string };

interface Push {
  version: number;
  at: number;
}

const sockets: Socket[] = [];
interface Round {
  received: number;
  maxMs: number;
  firstMs: number;
  firstAt: number;
  maxMsByUrl: number[];
}

const rounds = new Map<number, Round>();
let expected = 0;
let urlCount = 1;

function report(message: ClientReport): void {
  process.send?.(message);
}

function onPush(push: Push, url: number): void {
  const latency = Date.now() - push.at;
  const now = performance.now();
  let round = rounds.get(push.version);
  if (!round) {
    const maxMsByUrl = new Array<number>(urlCount).fill(-Infinity);
    round = { received: 0, maxMs: latency, firstMs: latency, firstAt: now, maxMsByUrl };
    rounds.set(push.version, round);
  }
  round.received++;
  if (latency > round.maxMs) round.maxMs = latency;
  if (latency > round.maxMsByUrl[url]!) round.maxMsByUrl[url] = latency;
  if (round.received === expected) {
    rounds.delete(push.version);
    const { received, maxMs, firstMs, firstAt, maxMsByUrl } = round;
    const spreadMs = now - firstAt;
    report({ type: "round", key: push.version, maxMs, firstMs, spreadMs, maxMsByUrl, received });
  }
}

function open(index: number, command: ConnectCommand): Promise<Socket> {
  const url = command.urls[index]!;
  const socket = io(url, {
    auth: command.auth ?? {},
    transports: ["websocket"],
    forceNew: true,
    reconnection: false,
    timeout: 60_000,
  });
  return new Promise((resolve, reject) => {
    socket.once("connect_error", (error: Error & { data?: unknown }) =>
      reject(new Error(`connect to ${url}: ${error.message} ${JSON.stringify(error.data ?? "")}`)),
    );
    socket.once("connect", () => {
      socket.on(command.event, (push: Push) => onPush(push, index));
      if (!command.subscribe) return resolve(socket);
      socket
        .timeout(60_000)
        .emitWithAck("subscribe", command.subscribe)
        .then((answer: { ok: boolean; error?: unknown }) => {
          if (answer.ok) resolve(socket);
          else reject(new Error(`subscribe refused: ${JSON.stringify(answer.error)}`));
        }, reject);
    });
  });
}

async function connect(command: ConnectCommand): Promise<void> {
  const started = performance.now();
  expected = command.count;
  urlCount = command.urls.length;
  for (let first = 0; first < command.count; first += command.batch) {
    const batch: Promise<Socket>[] = [];
    for (let i = first; i < Math.min(command.count, first + command.batch); i++) {
      batch.push(open(i % command.urls.length, command));
    }
    sockets.push(...(await Promise.all(batch)));
  }
  const seconds = (performance.now() - started) / 1000;
  report({ type: "ready", connected: sockets.length, seconds });
}

process.on("message", (command: ClientCommand) => {
  if (command.type === "connect") {
    connect(command).catch((error: unknown) =>
      report({ type: "failed", message: error instanceof Error ? error.message : String(error) }),
    );
  } else {
    for (const socket of sockets) socket.close();
    process.disconnect?.();
    setTimeout(() => process.exit(0), 100).unref();
  }
});
process.on("disconnect", () => process.exit(0));
