import { EntitySchema, type Opt } from "@mikro-orm/core";
import { tenantColumn, tenantFilter } from "../tenant-owned.js";

/**
 * A calendar's private iCalendar feed: staff subscribe to its URL, which carries a secret token.
 * Only the token's HMAC under the platform pepper is kept; rotating replaces it, revoking
 * deletes the row.
 */
export class CalendarFeed {
  calendarId!: string;
  tenant!: string;
  tokenHash!: string;
  createdAt: Opt<Date> = new Date();
}

export const CalendarFeedSchema = new EntitySchema<CalendarFeed>({
  class: CalendarFeed,
  tableName: "calendar_feeds",
  filters: { tenant: tenantFilter },
  properties: {
    calendarId: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    tokenHash: { type: "string", length: 64 },
    createdAt: { type: "datetime", length: 3 },
  },
});
