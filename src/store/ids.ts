import { monotonicFactory } from "ulidx";

const ulid = monotonicFactory();

/** Public id prefixes, one per entity that has opaque ids. */
export const idPrefixes = {
  tenant: "ten",
  user: "usr",
  apiKey: "key",
  auditLog: "aud",
  calendar: "cal",
  service: "svc",
  hold: "hld",
  booking: "bkg",
  bookingEvent: "bev",
  idempotency: "idk",
} as const;

/** A new time-ordered opaque id such as `cal_01hq3v…`: sortable, unguessable, never reused. */
export function newId(prefix: (typeof idPrefixes)[keyof typeof idPrefixes]): string {
  return `${prefix}_${ulid().toLowerCase()}`;
}
