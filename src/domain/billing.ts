/** How often a subscription is billed. */
export const billingIntervals = ["month", "year"] as const;
export type BillingInterval = (typeof billingIntervals)[number];

/** The billing meter bookings are reported to (its aggregation should be "last"). */
export const bookingsMeterEventName = "vbwd_bookings";
