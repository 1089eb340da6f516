import { EntitySchema, type Opt } from "@mikro-orm/core";
import { tenantColumn, tenantFilter, type TenantOwned } from "../tenant-owned.js";
import { Calendar } from "./calendar.js";

/** What a customer books: a duration at a price, offered on one or more calendars. */
export class Service implements TenantOwned {
  id!: string;
  tenant!: string;
  name!: string;
  description: string | null = null;
  durationMinutes!: number;
  priceCents: Opt<number> = 0;
  currency: Opt<string> = "EUR";
  /** Customers pay when they book (Stripe Checkout); only for a service with a price. */
  requiresPrepayment: Opt<boolean> = false;
  isActive: Opt<boolean> = true;
  createdAt: Opt<Date> = new Date();
  updatedAt: Opt<Date> = new Date();
}

export const ServiceSchema = new EntitySchema<Service>({
  class: Service,
  tableName: "services",
  filters: { tenant: tenantFilter },
  properties: {
    id: { type: "string", length: 40, primary: true },
    tenant: { ...tenantColumn },
    name: { type: "string", length: 200 },
    description: { type: "text", nullable: true },
    durationMinutes: { type: "integer" },
    priceCents: { type: "integer" },
    currency: { type: "string", length: 3 },
    requiresPrepayment: { type: "boolean", default: false },
    isActive: { type: "boolean" },
    createdAt: { type: "datetime", length: 3 },
    updatedAt: { type: "datetime", length: 3, onUpdate: () => new Date() },
  },
});

/** Offers one service on one calendar. */
export class ServiceCalendar {
  tenant!: string;
  service!: string;
  calendar!: string;
}

export const ServiceCalendarSchema = new EntitySchema<ServiceCalendar>({
  class: ServiceCalendar,
  tableName: "service_calendars",
  filters: { tenant: tenantFilter },
  properties: {
    tenant: { ...tenantColumn },
    service: { kind: "m:1", entity: () => Service, mapToPk: true, primary: true },
    calendar: { kind: "m:1", entity: () => Calendar, mapToPk: true, primary: true },
  },
});
