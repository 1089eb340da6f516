import { EntitySchema, type Opt } from "@mikro-orm/core";

/**
 * A Stripe event that has been applied. It is written in the same transaction as the change
 * the event made, so a redelivery finds it and changes nothing.
 */
export class StripeEvent {
  /** Stripe's event id (`evt_…`). */
  id!: string;
  type!: string;
  receivedAt: Opt<Date> = new Date();
  /** The tenant the event was about, when one was found. */
  tenantId: string | null = null;
}

export const StripeEventSchema = new EntitySchema<StripeEvent>({
  class: StripeEvent,
  tableName: "stripe_events",
  properties: {
    id: { type: "string", length: 255, primary: true },
    type: { type: "string", length: 100 },
    receivedAt: { type: "datetime", length: 3 },
    tenantId: { type: "string", length: 40, nullable: true, index: true },
  },
});
