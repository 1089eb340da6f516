import { z } from "zod";
import { ApiKey, Calendar, Service, ServiceCalendar, Tenant } from "../store/entities/index.js";
import { showsPoweredBy } from "../tenants/plan-gates.js";
import { viewBranding, viewSelfService } from "../tenants/tenant-view.js";
import { viewService } from "../engine/catalog.js";
import { defineCommand, tenantOf } from "./command.js";

/**
 * What the embeddable widget needs to draw itself: branding, the bookable services, and what
 * customers may change themselves.
 */
export const widgetConfig = defineCommand({
  name: "widget.config",
  summary: "Read the tenant's branding and bookable services for the booking widget.",
  access: { kind: "tenant", credentials: ["publishable", "secret", "staff"] },
  input: z.object({}),
  async run(context) {
    const tenant = tenantOf(context);
    const services = await context.em.find(Service, { isActive: true }, { orderBy: { id: "asc" } });
    const offers = await context.em.find(ServiceCalendar, {
      service: { $in: services.map((service) => service.id) },
    });
    const calendars = await context.em.find(
      Calendar,
      { id: { $in: [...new Set(offers.map((offer) => offer.calendar))] }, isActive: true },
      { orderBy: { name: "asc" }, fields: ["id", "name", "timezone"] },
    );
    const bookable = new Set(calendars.map((calendar) => calendar.id));
    return {
      tenant: { code: tenant.tenantCode, name: tenant.name, timezone: tenant.timezone },
      branding: viewBranding(tenant),
      /** The widget shows a small "Powered by VBWD" link unless the plan is white label. */
      poweredBy: showsPoweredBy(tenant),
      selfService: viewSelfService(tenant),
      calendars: calendars.map(({ id, name, timezone }) => ({ id, name, timezone })),
      services: services.flatMap((service) => {
        const calendarIds = offers
          .filter((offer) => offer.service === service.id && bookable.has(offer.calendar))
          .map((offer) => offer.calendar);
        // A service no active calendar offers cannot be booked; the widget does not list it.
        if (calendarIds.length === 0) return [];
        // The API's view of the service, without the bookkeeping times customers need not see.
        const {
          createdAt: _created,
          updatedAt: _updated,
          ...offered
        } = viewService(service, calendarIds);
        return [offered];
      }),
    };
  },
});

/** The browser origins a tenant's publishable keys admit (`*` when one admits any). */
export const widgetOrigins = defineCommand({
  name: "widget.origins",
  summary: "List the browser origins the tenant's publishable keys allow (for CORS).",
  access: { kind: "public" },
  input: z.object({ tenantCode: z.string().max(60) }),
  async run({ em }, input) {
    const tenant = await em.findOne(Tenant, { tenantCode: input.tenantCode, isActive: true });
    if (!tenant) return { origins: [] as string[] };
    // Read across the tenant filter on purpose: this runs before any credential is known.
    const keys = await em.find(
      ApiKey,
      { tenant: tenant.id, kind: "publishable", revokedAt: null },
      { filters: false },
    );
    if (keys.some((key) => key.allowedOrigins.length === 0)) return { origins: ["*"] };
    return { origins: [...new Set(keys.flatMap((key) => key.allowedOrigins))] };
  },
});
