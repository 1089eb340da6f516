import { EventEmitter } from "node:events";

/** A committed change to a calendar's availability, stamped with its new version. */
export interface AvailabilityChange {
  tenantId: string;
  calendarId: string;
  version: number;
  /** The reservations whose slots changed, instants in ms. */
  affected: { startMs: number; endMs: number }[];
  /**
   * Every slot of each offered service that the change touched, with the seats now free (0
   * when it cannot be booked); computed only while something listens for availability.
   */
  services: { serviceId: string; slots: ChangedSlot[] }[];
  /** The hours or services changed: viewers must fetch availability again. */
  reset: boolean;
}

/** A slot as a change reports it, instants in ms. */
export interface ChangedSlot {
  start: number;
  end: number;
  remaining: number;
}

/** Kinds of domain events the engine reports after each commit. */
export const domainEventTypes = [
  "booking.created",
  "booking.cancelled",
  "booking.rescheduled",
  "booking.no_show",
  "hold.created",
  "hold.released",
  "hold.expired",
  "hold.converted",
] as const;
export type DomainEventType = (typeof domainEventTypes)[number];

/** Something that happened, for realtime, webhooks and email to consume. */
export interface DomainEvent {
  type: DomainEventType;
  tenantId: string;
  calendarId: string;
  /** The booking or hold, as the API shows it. */
  data: Record<string, unknown>;
  atMs: number;
}

interface FeedEvents {
  availability: [AvailabilityChange];
  event: [DomainEvent];
}

/**
 * The engine's internal stream of committed changes on this node. Actors publish after their
 * transaction commits; realtime, webhooks and email subscribe.
 */
export class ChangeFeed extends EventEmitter<FeedEvents> {
  constructor() {
    super();
    this.setMaxListeners(100);
  }
}
