import type Stripe from "stripe";
import { bookingsMeterEventName } from "../domain/billing.js";

/** One subscribed tenant's bookings so far this month. */
export interface BookingUsage {
  tenantId: string;
  stripeCustomerId: string;
  /** The month counted, `yyyy-mm` (UTC). */
  period: string;
  bookings: number;
}

/**
 * Reports a month-to-date booking count to Stripe's `vbwd_bookings` meter (configure it with
 * the "last" aggregation: each report is the running total). The identifier names tenant,
 * month and count, so a retried report is taken once and an unchanged count adds nothing.
 */
export async function reportBookingUsage(stripe: Stripe, usage: BookingUsage): Promise<string> {
  const identifier = `${usage.tenantId}-${usage.period}-${usage.bookings}`;
  await stripe.billing.meterEvents.create(
    {
      event_name: bookingsMeterEventName,
      identifier,
      payload: { stripe_customer_id: usage.stripeCustomerId, value: String(usage.bookings) },
    },
    { idempotencyKey: `vbwd-meter-${identifier}` },
  );
  return identifier;
}
