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

const known: ReadonlySet<string> = new Set(webhookEventTypes);

/** Whether an event leaves the engine (outbox, webhooks, messages); holds coming and going do not. */
export function isWebhookEventType(type: string): type is WebhookEventType {
  return known.has(type);
}
