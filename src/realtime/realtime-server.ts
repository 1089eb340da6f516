import { createAdapter } from "@socket.io/redis-streams-adapter";
import type { Server as HttpServer } from "node:http";
import type { Redis } from "ioredis";
import { Server, type Socket } from "socket.io";
import type { AnyCommand, EngineServices } from "../commands/command.js";
import { executeCommand } from "../commands/execute.js";
import type { TenantHint } from "../commands/identity.js";
import { commands } from "../commands/registry.js";
import { AppError } from "../domain/app-error.js";
import type { AvailabilityChange, DomainEvent } from "../engine/change-feed.js";
import { moduleLogger } from "../logger.js";
import { rooms } from "./rooms.js";

const log = moduleLogger("realtime");
/** How often every socket's credential is checked again. */
const recheckMs = 60_000;

/** What a socket carries between events; restored with the session when it reconnects. */
interface SocketData {
  credential: string;
  tenantHint: TenantHint | undefined;
  origin: string | undefined;
  tenantId: string;
  staff: boolean;
  /** Holds this socket placed and still watches over. */
  holds: { holdId: string; calendarId: string }[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- events are checked at run time
type AnyEvents = Record<string, (...args: any[]) => void>;
type LiveSocket = Socket<AnyEvents, AnyEvents, AnyEvents, SocketData>;

/** An acknowledgement: `{ ok: true, … }` or `{ ok: false, error }` in the API's error shape. */
type Ack = (answer: object) => void;

/** The Socket.IO side of a running engine. */
export interface Realtime {
  readonly io: Server;
  /** Disconnects every socket (their holds go on grace) and stops listening to the feed. */
  close(): Promise<void>;
}

/**
 * Socket.IO on the engine's HTTP server: handshake auth, availability rooms per calendar and
 * service, the staff room per tenant, holds watched over by the socket that placed them.
 * With Redis, the Redis Streams adapter carries broadcasts between nodes and keeps sessions
 * for connection state recovery.
 */
export function startRealtime(
  server: HttpServer,
  services: EngineServices,
  redis: Redis | undefined,
): Realtime {
  const { realtime, actors } = services.config;
  const adapterRedis = redis ? adapterClient(redis) : undefined;
  const io = new Server(server, {
    cors: { origin: true },
    // Other upgrades on this server (GraphQL subscriptions) are not Socket.IO's to close.
    destroyUpgrade: false,
    // A resumed session is authenticated again: its credential may have expired meanwhile.
    connectionStateRecovery: {
      maxDisconnectionDuration: realtime.recoveryMs,
      skipMiddlewares: false,
    },
    ...(adapterRedis
      ? {
          adapter: createAdapter(adapterRedis, {
            streamName: `${actors.clusterName}:socket.io`,
            sessionKeyPrefix: `${actors.clusterName}:socket.io:session:`,
            blockTimeInMs: 1000,
          }),
        }
      : {}),
  });
  const pending = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    pending.add(work);
    void work.finally(() => pending.delete(work));
  };

  io.use((socket, next) => {
    authenticate(services, socket as LiveSocket).then(
      () => next(),
      (error: unknown) => next(connectError(error)),
    );
  });
  io.on("connection", (raw) => {
    const socket = raw as LiveSocket;
    if (socket.recovered) track(reattachHolds(services, socket));
    else if (socket.data.staff) void socket.join(rooms.staff(socket.data.tenantId));
    serveSocket(services, socket, track);
  });

  const onAvailability = (change: AvailabilityChange) => publishAvailability(io, change);
  const onEvent = (event: DomainEvent) => publishToStaff(io, event);
  services.feed.on("availability", onAvailability);
  services.feed.on("event", onEvent);
  const recheck = setInterval(() => track(recheckCredentials(services, io)), recheckMs);
  recheck.unref();

  return {
    io,
    async close() {
      services.feed.off("availability", onAvailability);
      services.feed.off("event", onEvent);
      clearInterval(recheck);
      io.local.disconnectSockets(true);
      await Promise.allSettled([...pending]);
      io.engine.close();
      await closeAdapter(io);
      adapterRedis?.disconnectAll();
    },
  };
}

/**
 * The Redis client the Streams adapter gets. Its stream reader retries at once when a
 * command fails, so the client queues commands while Redis is away instead of failing them
 * (the engine's own client fails fast), and connects by itself rather than through a
 * `connect()` whose rejection nobody handles. The clients the adapter duplicates from it are
 * remembered, so closing disconnects them too, even with a read still waiting.
 */
function adapterClient(redis: Redis): Redis & { disconnectAll(): void } {
  const made: Redis[] = [];
  const quiet = (client: Redis) => {
    // Outages are reported by the engine's own client; these reconnect quietly.
    client.on("error", () => undefined);
    // The adapter sends some commands without awaiting them (subscribe, session writes); on
    // close their rejections would go unhandled. Callers that await still see the error.
    const send = client.sendCommand.bind(client);
    client.sendCommand = ((...args: Parameters<Redis["sendCommand"]>) => {
      const sent = send(...args);
      (sent as Promise<unknown>).catch(() => undefined);
      return sent;
    }) as Redis["sendCommand"];
    made.push(client);
    return client;
  };
  const base = quiet(redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null }));
  const duplicate = base.duplicate.bind(base);
  return Object.assign(base, {
    duplicate: (override?: Parameters<Redis["duplicate"]>[0]) => quiet(duplicate(override)),
    disconnectAll: () => made.forEach((client) => client.disconnect()),
  });
}

async function authenticate(services: EngineServices, socket: LiveSocket): Promise<void> {
  const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
  const credential = typeof auth.apiKey === "string" ? auth.apiKey : auth.token;
  if (typeof credential !== "string" || credential === "") {
    throw new AppError(
      "unauthenticated",
      'connect with auth { tenant, apiKey: "pk_…" } or { token: "<staff token>" }',
    );
  }
  const tenantHint: TenantHint | undefined =
    typeof auth.tenant === "string" && auth.tenant !== ""
      ? { value: auth.tenant.toLowerCase(), source: "path" }
      : undefined;
  const origin = socket.handshake.headers.origin;
  const who = await executeCommand(services, commands.realtimeConnect, {
    input: {},
    credential,
    tenantHint,
    browserOrigin: origin,
    protocol: "socket.io",
    ipAddress: socket.handshake.address,
  });
  const resumed = socket.recovered ? (socket.data as Partial<SocketData>) : undefined;
  if (resumed?.tenantId !== undefined && resumed.tenantId !== who.tenantId) {
    throw new AppError("forbidden", "this session belongs to another tenant");
  }
  const holds = resumed?.holds ?? [];
  socket.data = { credential, tenantHint, origin, tenantId: who.tenantId, staff: who.staff, holds };
}

/**
 * Checks every socket's credential again, so one revoked or expired since the handshake stops
 * receiving: its socket is told why (`session:ended`) and disconnected.
 */
function recheckCredentials(services: EngineServices, io: Server): Promise<unknown> {
  const sockets = [...io.of("/").sockets.values()] as LiveSocket[];
  return Promise.all(
    sockets.map((socket) =>
      runFor(services, socket, commands.realtimeConnect, {}).catch((error: unknown) => {
        if (!(error instanceof AppError) || error.code === "internal_error") return;
        socket.emit("session:ended", failure(error).error);
        socket.disconnect(true);
      }),
    ),
  );
}

/** Runs a command as the socket's caller; answers the acknowledgement either way. */
function runFor(
  services: EngineServices,
  socket: LiveSocket,
  command: AnyCommand,
  input: unknown,
): Promise<unknown> {
  return executeCommand(services, command, {
    input,
    credential: socket.data.credential,
    tenantHint: socket.data.tenantHint,
    // A recovered session comes back through msgpack, which turns undefined into null.
    browserOrigin: socket.data.origin ?? undefined,
    protocol: "socket.io",
    ipAddress: socket.handshake.address,
  });
}

function serveSocket(
  services: EngineServices,
  socket: LiveSocket,
  track: (work: Promise<unknown>) => void,
): void {
  const on = (event: string, handle: (payload: Record<string, unknown>) => Promise<object>) => {
    socket.on(
      event as never,
      ((payload: unknown, ack: unknown) => {
        const reply: Ack = typeof ack === "function" ? (ack as Ack) : () => undefined;
        if (typeof payload !== "object" || payload === null || Array.isArray(payload)) {
          reply(failure(new AppError("malformed_request", `${event} takes an object`)));
          return;
        }
        handle(payload as Record<string, unknown>).then(
          (answer) => reply({ ok: true, ...answer }),
          (error: unknown) => reply(failure(error)),
        );
      }) as never,
    );
  };

  on("subscribe", async (payload) => {
    const answer = (await runFor(services, socket, commands.availability, payload)) as {
      calendarId: string;
      serviceId?: string;
    };
    const { tenantId } = socket.data;
    await socket.join([
      rooms.availability(tenantId, answer.calendarId, answer.serviceId),
      rooms.calendar(tenantId, answer.calendarId),
    ]);
    return answer;
  });

  on("unsubscribe", async (payload) => {
    const { tenantId } = socket.data;
    const calendarId = String(payload.calendarId ?? "");
    const prefix = rooms.availability(tenantId, calendarId, "");
    const serviceId = typeof payload.serviceId === "string" ? payload.serviceId : undefined;
    for (const room of socket.rooms) {
      if (!room.startsWith(prefix)) continue;
      if (serviceId === undefined || room === rooms.availability(tenantId, calendarId, serviceId)) {
        await socket.leave(room);
      }
    }
    const stillWatching = [...socket.rooms].some((room) => room.startsWith(prefix));
    if (!stillWatching) await socket.leave(rooms.calendar(tenantId, calendarId));
    return {};
  });

  on("hold", async (payload) => {
    const hold = (await runFor(services, socket, commands.createHold, payload)) as {
      id: string;
      calendarId: string;
    };
    socket.data.holds.push({ holdId: hold.id, calendarId: hold.calendarId });
    return { hold };
  });

  on("release", async (payload) => {
    const holdId = String(payload.holdId ?? "");
    const answer = await runFor(services, socket, commands.releaseHold, { id: holdId });
    socket.data.holds = socket.data.holds.filter((hold) => hold.holdId !== holdId);
    return { hold: answer };
  });

  socket.on("disconnect", () => {
    const holds = socket.data.holds ?? [];
    for (const hold of holds) {
      track(
        runFor(services, socket, commands.detachHold, hold).catch((error: unknown) => {
          log.warn({ err: error, holdId: hold.holdId }, "could not put a hold on grace");
        }),
      );
    }
  });
}

/** A recovered socket's holds run to their usual end again; gone ones are reported. */
async function reattachHolds(services: EngineServices, socket: LiveSocket): Promise<void> {
  const kept: SocketData["holds"] = [];
  for (const hold of socket.data.holds ?? []) {
    try {
      await runFor(services, socket, commands.attachHold, hold);
      kept.push(hold);
    } catch (error) {
      socket.emit(
        "hold:lost" as never,
        { holdId: hold.holdId, error: failure(error).error } as never,
      );
    }
  }
  socket.data.holds = kept;
}

function publishAvailability(io: Server, change: AvailabilityChange): void {
  const { tenantId, calendarId, version } = change;
  const at = Date.now();
  if (change.reset) {
    io.to(rooms.calendar(tenantId, calendarId)).emit("availability", {
      calendarId,
      version,
      reset: true,
      slots: [],
      at,
    });
    return;
  }
  for (const { serviceId, slots } of change.services) {
    io.to(rooms.availability(tenantId, calendarId, serviceId)).emit("availability", {
      calendarId,
      serviceId,
      version,
      slots: slots.map((slot) => ({
        start: new Date(slot.start).toISOString(),
        end: new Date(slot.end).toISOString(),
        remaining: slot.remaining,
      })),
      at,
    });
  }
}

function publishToStaff(io: Server, event: DomainEvent): void {
  const kind = event.type.startsWith("booking.") ? "booking" : "hold:update";
  const subject = kind === "booking" ? "booking" : "hold";
  io.to(rooms.staff(event.tenantId)).emit(kind, {
    type: event.type,
    calendarId: event.calendarId,
    [subject]: event.data,
    at: new Date(event.atMs).toISOString(),
  });
}

function failure(error: unknown): {
  ok: false;
  error: { code: string; message: string; details?: unknown };
} {
  if (error instanceof AppError && error.code !== "internal_error") {
    const shown = { code: error.code, message: error.message };
    return {
      ok: false,
      error: error.details === undefined ? shown : { ...shown, details: error.details },
    };
  }
  log.error({ err: error }, "socket call failed");
  return { ok: false, error: { code: "internal_error", message: "something went wrong; retry" } };
}

function connectError(error: unknown): Error {
  const { error: shown } = failure(error);
  const refused = new Error(shown.message) as Error & { data?: unknown };
  refused.data = shown;
  return refused;
}

async function closeAdapter(io: Server): Promise<void> {
  const adapter = io.of("/").adapter as { close?: () => Promise<void> | void };
  await adapter.close?.();
}
