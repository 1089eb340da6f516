import type Stripe from "stripe";

/**
 * How long a booking's Checkout Session stays open. Stripe's minimum is 30 minutes after it
 * creates the session; one more covers the request's time in flight and clock skew.
 */
export const checkoutOpenMs = 31 * 60_000;

/** A held slot outlasts its Checkout Session by this much, so a last-second payment finds it. */
export const checkoutHoldMarginMs = 5 * 60_000;

/** The `metadata.kind` that marks a Checkout Session (and its PaymentIntent) as a booking's. */
export const bookingPaymentKind = "booking_payment";

/** What a booking's Checkout Session charges and where it sends the customer afterwards. */
export interface BookingCheckout {
  paymentId: string;
  tenantId: string;
  holdId: string;
  serviceName: string;
  amountCents: number;
  currency: string;
  customerEmail: string;
  expiresAtMs: number;
  successUrl: string;
  cancelUrl: string;
}

/**
 * Opens a one-off Stripe Checkout Session for a held slot. The payment id is the idempotency
 * key, so a retried request opens no second session; the metadata leads Stripe's events back
 * to the payment.
 */
export function createBookingCheckout(
  stripe: Stripe,
  checkout: BookingCheckout,
): Promise<Stripe.Checkout.Session> {
  const metadata = {
    kind: bookingPaymentKind,
    tenant_id: checkout.tenantId,
    hold_id: checkout.holdId,
    payment_id: checkout.paymentId,
  };
  const params: Stripe.Checkout.SessionCreateParams = {
    mode: "payment",
    line_items: [
      {
        quantity: 1,
        price_data: {
          currency: checkout.currency.toLowerCase(),
          unit_amount: checkout.amountCents,
          product_data: { name: checkout.serviceName },
        },
      },
    ],
    customer_email: checkout.customerEmail,
    client_reference_id: checkout.holdId,
    expires_at: Math.floor(checkout.expiresAtMs / 1000),
    success_url: checkout.successUrl,
    cancel_url: checkout.cancelUrl,
    metadata,
    payment_intent_data: { metadata },
  };
  return stripe.checkout.sessions.create(params, {
    idempotencyKey: `checkout-${checkout.paymentId}`,
  });
}
