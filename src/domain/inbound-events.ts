/** What an outside system may ask for through an inbound webhook, each one command. */
export const inboundEventTypes = [
  "booking.create",
  "booking.cancel",
  "booking.reschedule",
  "hold.create",
  "hold.release",
] as const;
export type InboundEventType = (typeof inboundEventTypes)[number];

/**
 * Where a received event stands: claimed and running, its command answered, or its command
 * refused. A refused event keeps its id: a replay gets the same refusal.
 */
export const inboundEventStatuses = ["processing", "applied", "refused"] as const;
export type InboundEventStatus = (typeof inboundEventStatuses)[number];
