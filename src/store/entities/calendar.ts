import { EntitySchema, type Opt } from "@mikro-orm/core";
import { jsonColumn } from "../json-column.js";
import type { WeeklyHours } from "../../domain/weekly-hours.js";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";

/** Something bookable with its own hours: a doctor, a room, a tutor. */
export class Calendar implements TenantOwned {
  id!: string;
  tenant!: string;
  name!: string;
  timezone!: string;
  capacity: Opt<number> = 1;
  weeklyHours: Opt<WeeklyHours> = {};
  dateOverrides: Opt<Record<string, unknown>[]> = [];
  slotIntervalMinutes: Opt<number> = 15;
  bufferBeforeMinutes: Opt<number> = 0;
  bufferAfterMinutes: Opt<number> = 0;
  minNoticeMinutes: Opt<number> = 0;
  horizonDays: Opt<number> = 60;
  maxBookingsPerDay: number | null = null;
  version: Opt<number> = 0;
  isActive: Opt<boolean> = true;
  createdAt: Opt<Date> = new Date();
  updatedAt: Opt<Date> = new Date();
}

export const CalendarSchema = new EntitySchema<Calendar>({
  class: Calendar,
  tableName: "calendars",
  filters: { tenant: tenantFilter },
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    name: { type: "string", length: 200 },
    timezone: { type: "string", length: 64 },
    capacity: { type: "integer" },
    weeklyHours: { ...jsonColumn },
    dateOverrides: { ...jsonColumn },
    slotIntervalMinutes: { type: "integer" },
    bufferBeforeMinutes: { type: "integer" },
    bufferAfterMinutes: { type: "integer" },
    minNoticeMinutes: { type: "integer" },
    horizonDays: { type: "integer" },
    maxBookingsPerDay: { type: "integer", nullable: true },
    version: { type: "integer" },
    isActive: { type: "boolean" },
    createdAt: { type: "datetime", length: 3 },
    updatedAt: { type: "datetime", length: 3, onUpdate: () => new Date() },
  },
});
