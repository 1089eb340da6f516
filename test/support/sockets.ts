import { io, type Socket } from "socket.io-client";

/** An `availability` push as the server sends it. */
export interface AvailabilityPush {
  calendarId: string;
  serviceId?: string;
  version: number;
  slots: { start: string; end: string; remaining: number }[];
  reset?: boolean;
  at: number;
}

/** A connected test socket that records what it receives. */
export interface TestSocket {
  socket: Socket;
  /** Every `availability` push so far, in arrival order. */
  pushes: AvailabilityPush[];
  /** Every staff event (`booking`, `hold:update`) so far, with its name. */
  staffEvents: { name: string; payload: Record<string, unknown> }[];
  /** Resolves with the first push (already received or coming) that satisfies `test`. */
  nextPush(
    test: (push: AvailabilityPush) => boolean,
    timeoutMs?: number,
  ): Promise<AvailabilityPush>;
  /** Resolves with the first staff event that satisfies `test`. */
  nextStaffEvent(
    test: (event: { name: string; payload: Record<string, unknown> }) => boolean,
    timeoutMs?: number,
  ): Promise<{ name: string; payload: Record<string, unknown> }>;
  call(event: string, payload: unknown): Promise<Record<string, unknown>>;
  close(): void;
}

/** Connects over WebSocket with `auth`; rejects with the server's refusal. */
export async function connectSocket(
  url: string,
  auth: Record<string, string>,
  options: { origin?: string; reconnectionDelay?: number } = {},
): Promise<TestSocket> {
  const socket = io(url, {
    auth,
    transports: ["websocket"],
    reconnectionDelay: options.reconnectionDelay ?? 50,
    reconnectionDelayMax: 200,
    extraHeaders: options.origin ? { origin: options.origin } : {},
    forceNew: true,
  });
  const pushes: AvailabilityPush[] = [];
  const staffEvents: TestSocket["staffEvents"] = [];
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((waiter) => waiter());
  socket.on("availability", (push: AvailabilityPush) => {
    pushes.push(push);
    wake();
  });
  for (const name of ["booking", "hold:update"]) {
    socket.on(name, (payload: Record<string, unknown>) => {
      staffEvents.push({ name, payload });
      wake();
    });
  }
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", () => resolve());
    socket.once("connect_error", (error: Error & { data?: unknown }) => {
      socket.close();
      reject(Object.assign(new Error(error.message), { data: error.data }));
    });
  });

  function waitFor<T>(find: () => T | undefined, what: string, timeoutMs: number): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = find();
        if (found === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(found);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  }

  return {
    socket,
    pushes,
    staffEvents,
    nextPush: (test, timeoutMs = 3000) =>
      waitFor(() => pushes.find(test), "availability push", timeoutMs),
    nextStaffEvent: (test, timeoutMs = 3000) =>
      waitFor(() => staffEvents.find(test), "staff event", timeoutMs),
    call: (event, payload) => socket.timeout(5000).emitWithAck(event, payload),
    close: () => socket.close(),
  };
}

/** Connection refused: the error the server gave (`{ code, message }`). */
export async function refusal(
  url: string,
  auth: Record<string, string>,
  origin?: string,
): Promise<{ code: string; message: string }> {
  try {
    const opened = await connectSocket(url, auth, { origin });
    opened.close();
  } catch (error) {
    return (error as { data: { code: string; message: string } }).data;
  }
  throw new Error("the connection was accepted");
}
