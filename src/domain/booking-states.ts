/** Where a hold stands: active until it is released, expires, or becomes a booking. */
export const holdStatuses = ["active", "released", "expired", "converted"] as const;
export type HoldStatus = (typeof holdStatuses)[number];

/** Where a booking stands. */
export const bookingStatuses = ["confirmed", "cancelled", "no_show"] as const;
export type BookingStatus = (typeof bookingStatuses)[number];

/** What a grid-cell claim belongs to. */
export const claimOwnerKinds = ["hold", "booking"] as const;
export type ClaimOwnerKind = (typeof claimOwnerKinds)[number];

/** How long a hold lasts unless the tenant says otherwise (seconds). */
export const defaultHoldTtlSeconds = 600;
