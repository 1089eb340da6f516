import { io, type Socket } from "socket.io-client";
import { WidgetError } from "./widget-options.js";

/** A free (or, in a push, taken when `remaining` is 0) time. */
export interface Slot {
  start: string;
  end: string;
  remaining: number;
}

/** A hold as the engine answers it. */
export interface Hold {
  id: string;
  calendarId: string;
  serviceId: string;
  start: string;
  end: string;
  expiresAt: string;
}

/** What is watched: one service on one calendar between two instants. */
export interface Watch {
  calendarId: string;
  serviceId: string;
  from: number;
  to: number;
}

interface Push {
  calendarId: string;
  serviceId?: string;
  version: number;
  reset?: boolean;
  slots: Slot[];
}

const askTimeoutMs = 10_000;

/**
 * The widget's socket: watches one window of availability, applying each push to its own
 * copy of the free slots and asking again whenever a version was missed or the hours changed.
 * Holds placed through it are watched by the socket, so they go soon after the visitor leaves.
 */
export class LiveAvailability {
  private readonly socket: Socket;
  private watch: Watch | undefined;
  private version = -1;
  private slots = new Map<string, Slot>();
  private timezone = "UTC";
  private connectedOnce = false;

  constructor(
    baseUrl: string,
    auth: { tenant: string; apiKey: string },
    private readonly onChange: (slots: Slot[]) => void,
    private readonly onFailure: (error: WidgetError) => void,
    onHoldLost: (holdId: string) => void,
  ) {
    this.socket = io(baseUrl, { auth, forceNew: true, transports: ["websocket", "polling"] });
    this.socket.on("availability", (push: Push) => this.apply(push));
    this.socket.on("connect", () => {
      // A session that was not recovered missed pushes: read the window again.
      if (this.connectedOnce && !this.socket.recovered) void this.refresh();
      this.connectedOnce = true;
    });
    // A resumed session whose hold ended while it was away.
    this.socket.on("hold:lost", (lost: { holdId: string }) => onHoldLost(lost.holdId));
    this.socket.on("session:ended", (error: { code: string; message: string }) =>
      this.onFailure(new WidgetError(error.code, error.message)),
    );
    this.socket.on("connect_error", (error: Error & { data?: { code?: string } }) => {
      const code = error.data?.code;
      if (code) this.onFailure(new WidgetError(code, error.message));
    });
  }

  /** The calendar's time zone, from the last answer. */
  get calendarZone(): string {
    return this.timezone;
  }

  /** The free slots known now, soonest first. */
  freeSlots(): Slot[] {
    return [...this.slots.values()]
      .filter((slot) => slot.remaining > 0)
      .sort((a, b) => a.start.localeCompare(b.start));
  }

  /** Watches a new window (and stops watching the previous one). */
  async follow(watch: Watch): Promise<Slot[]> {
    const previous = this.watch;
    this.watch = watch;
    if (previous && previous.serviceId !== watch.serviceId) {
      this.socket.emit("unsubscribe", { calendarId: previous.calendarId });
    }
    await this.refresh();
    return this.freeSlots();
  }

  /** Places a hold over the socket. */
  async hold(calendarId: string, serviceId: string, start: string): Promise<Hold> {
    const answer = await this.ask<{ hold: Hold }>("hold", { calendarId, serviceId, start });
    return answer.hold;
  }

  /** Gives a hold back. */
  async release(holdId: string): Promise<void> {
    await this.ask("release", { holdId });
  }

  /** Closes the socket; its holds are released after the engine's grace period. */
  close(): void {
    this.socket.disconnect();
  }

  private async refresh(): Promise<void> {
    const watch = this.watch;
    if (!watch) return;
    const answer = await this.ask<{ version: number; timezone: string; slots: Slot[] }>(
      "subscribe",
      {
        calendarId: watch.calendarId,
        serviceId: watch.serviceId,
        from: new Date(watch.from).toISOString(),
        to: new Date(watch.to).toISOString(),
      },
    );
    if (watch !== this.watch) return;
    this.version = answer.version;
    this.timezone = answer.timezone;
    this.slots = new Map(answer.slots.map((slot) => [slot.start, slot]));
    this.onChange(this.freeSlots());
  }

  private apply(push: Push): void {
    const watch = this.watch;
    if (!watch || push.calendarId !== watch.calendarId) return;
    if (push.serviceId !== undefined && push.serviceId !== watch.serviceId) return;
    if (push.version <= this.version) return;
    if (push.reset || push.version !== this.version + 1) {
      this.refresh().catch((error: WidgetError) => this.onFailure(error));
      return;
    }
    this.version = push.version;
    for (const slot of push.slots) {
      const at = Date.parse(slot.start);
      if (at < watch.from || at >= watch.to) continue;
      if (slot.remaining > 0) this.slots.set(slot.start, slot);
      else this.slots.delete(slot.start);
    }
    this.onChange(this.freeSlots());
  }

  private async ask<T>(event: string, payload: object): Promise<T> {
    let answer: { ok: boolean; error?: { code: string; message: string; details?: unknown } };
    try {
      answer = await this.socket.timeout(askTimeoutMs).emitWithAck(event, payload);
    } catch {
      throw new WidgetError("network_error", "the booking service did not answer in time");
    }
    if (answer.ok) return answer as T;
    const error = answer.error ?? { code: "internal_error", message: "refused" };
    throw new WidgetError(error.code, error.message, error.details);
  }
}
