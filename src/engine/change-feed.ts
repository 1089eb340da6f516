import { EventEmitter } from "node:events";

/** A committed change to a calendar's availability, stamped with its new version. */
export interface AvailabilityChange {
  tenantId: string;
  calendarId: string;
  version: number;
  /** The reservations whose slots changed, instants in ms. */
  affected: { startMs: number; endMs: number }[];
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
