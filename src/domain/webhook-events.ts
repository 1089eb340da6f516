/** The events tenants can subscribe webhook endpoints to. */
export const webhookEventTypes = [
  "booking.created",
  "booking.cancelled",
  "booking.rescheduled",
  "booking.no_show",
  "booking.reminder",
  "hold.expired",
  "tenant.updated",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];
