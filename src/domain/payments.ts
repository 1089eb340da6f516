/** Where a booking's prepayment stands. */
export const bookingPaymentStatuses = [
  "pending",
  "paid",
  "failed",
  "expired",
  "refunded",
  "partially_refunded",
] as const;
export type BookingPaymentStatus = (typeof bookingPaymentStatuses)[number];

/**
 * How much of a prepayment a tenant gives back when a booking is cancelled: all of it, none of
 * it, or all of it only when the cancellation comes at least the cut-off before the start.
 */
export const refundPolicies = ["full", "none", "cutoff"] as const;
export type RefundPolicy = (typeof refundPolicies)[number];

/** A tenant's refund rule. */
export interface RefundRule {
  policy: RefundPolicy;
  cutoffHours: number;
}

/** The cents to give back for a booking starting at `startMs`, cancelled at `nowMs`. */
export function refundDue(rule: RefundRule, paidCents: number, startMs: number, nowMs: number) {
  if (rule.policy === "none") return 0;
  if (rule.policy === "full") return paidCents;
  const early = startMs - nowMs >= rule.cutoffHours * 3_600_000;
  return early ? paidCents : 0;
}
