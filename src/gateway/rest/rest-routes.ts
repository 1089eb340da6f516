import type Router from "@koa/router";
import type { AnyCommand, EngineServices } from "../../commands/command.js";
import { executeCommand } from "../../commands/execute.js";
import { FileOutput } from "../../commands/file-output.js";
import { receiveInboundEvent } from "../../commands/inbound-webhook-commands.js";
import { commands } from "../../commands/registry.js";
import type { HttpState } from "../http/http-state.js";
import { credentialOf, tenantHintOf } from "../http/request-identity.js";

type Method = "get" | "post" | "put" | "patch" | "delete";

/** One REST route: a method and path bound to a command. */
export interface RestRoute {
  method: Method;
  path: string;
  command: AnyCommand;
  /** Status on success (default 200). */
  status?: number;
  /** The group the route is listed under in the API document. */
  tag: RestTag;
  /** Names the operation when its command is served on more than one route. */
  operationId?: string;
  /** Served by its own adapter (it reads the raw body); listed for the API document only. */
  ownAdapter?: boolean;
  /** The answer's media type when it is a file rather than JSON (the command answers `FileOutput`). */
  fileType?: string;
}

/** The groups of the API document, each with what it holds. */
export const restTags = {
  tenancy: "Signup, staff login, the tenant's settings and its API keys.",
  catalog: "Calendars with their hours and rules, and the services offered on them.",
  booking: "Availability, holds, bookings and the month's usage.",
  widget: "The embeddable widget's calls, made with a publishable key.",
  admin: "The platform operator's calls: tenants and the cluster.",
  webhooks:
    "Webhooks: endpoints that receive signed events with their delivery log, and outside systems that book or cancel with signed events.",
  calendars: "iCalendar files of bookings and private calendar feeds for staff calendar apps.",
  billing: "The tenant's subscription to VBWD, paid through Stripe.",
} as const;

/** A group of the API document. */
export type RestTag = keyof typeof restTags;

/** The REST surface; every route only translates HTTP to a command and back. */
export const restRoutes: readonly RestRoute[] = [
  { method: "post", path: "/api/v1/signup", command: commands.signUp, status: 201, tag: "tenancy" },
  { method: "post", path: "/api/v1/auth/login", command: commands.logIn, tag: "tenancy" },
  { method: "get", path: "/api/v1/auth/me", command: commands.currentStaffUser, tag: "tenancy" },
  {
    method: "post",
    path: "/api/v1/auth/verify-email",
    command: commands.verifyEmail,
    tag: "tenancy",
  },
  {
    method: "post",
    path: "/api/v1/auth/resend-verification",
    command: commands.resendVerification,
    tag: "tenancy",
  },
  { method: "get", path: "/api/v1/emails", command: commands.listEmails, tag: "tenancy" },
  {
    method: "post",
    path: "/api/v1/tenant/demo-data",
    command: commands.loadDemoData,
    status: 201,
    tag: "tenancy",
  },
  { method: "get", path: "/api/v1/tenant", command: commands.getTenant, tag: "tenancy" },
  { method: "patch", path: "/api/v1/tenant", command: commands.updateTenant, tag: "tenancy" },
  {
    method: "get",
    path: "/api/v1/tenant/branding",
    command: commands.getBranding,
    tag: "tenancy",
  },
  {
    method: "patch",
    path: "/api/v1/tenant/branding",
    command: commands.updateBranding,
    tag: "tenancy",
  },
  {
    method: "get",
    path: "/api/v1/tenant/domain",
    command: commands.getCustomDomain,
    tag: "tenancy",
  },
  {
    method: "put",
    path: "/api/v1/tenant/domain",
    command: commands.setCustomDomain,
    tag: "tenancy",
  },
  {
    method: "post",
    path: "/api/v1/tenant/domain/verify",
    command: commands.verifyCustomDomain,
    tag: "tenancy",
  },
  {
    method: "delete",
    path: "/api/v1/tenant/domain",
    command: commands.removeCustomDomain,
    tag: "tenancy",
  },
  { method: "get", path: "/api/v1/keys", command: commands.listKeys, tag: "tenancy" },
  {
    method: "post",
    path: "/api/v1/keys",
    command: commands.createKey,
    status: 201,
    tag: "tenancy",
  },
  { method: "delete", path: "/api/v1/keys/:id", command: commands.revokeKey, tag: "tenancy" },
  { method: "get", path: "/api/v1/users", command: commands.listUsers, tag: "tenancy" },
  {
    method: "post",
    path: "/api/v1/users",
    command: commands.createUser,
    status: 201,
    tag: "tenancy",
  },
  { method: "patch", path: "/api/v1/users/:id", command: commands.updateUser, tag: "tenancy" },
  { method: "delete", path: "/api/v1/users/:id", command: commands.deleteUser, tag: "tenancy" },
  {
    method: "put",
    path: "/api/v1/tenant/logo",
    command: commands.setLogo,
    tag: "tenancy",
    ownAdapter: true,
  },
  {
    method: "delete",
    path: "/api/v1/tenant/logo",
    command: commands.removeLogo,
    tag: "tenancy",
  },
  {
    method: "get",
    path: "/api/v1/admin/tenants",
    command: commands.adminListTenants,
    tag: "admin",
  },
  {
    method: "get",
    path: "/api/v1/admin/domains",
    command: commands.adminListDomains,
    tag: "admin",
  },
  {
    method: "patch",
    path: "/api/v1/admin/tenants/:code",
    command: commands.adminUpdateTenant,
    tag: "admin",
  },
  { method: "get", path: "/api/v1/admin/metrics", command: commands.adminMetrics, tag: "admin" },
  {
    method: "get",
    path: "/v1/widget/:tenantCode/config",
    command: commands.widgetConfig,
    tag: "widget",
  },
  {
    method: "get",
    path: "/api/v1/admin/cluster",
    command: commands.adminClusterView,
    tag: "admin",
  },
  {
    method: "post",
    path: "/api/v1/admin/cluster/probe",
    command: commands.adminClusterProbe,
    tag: "admin",
  },
  {
    method: "post",
    path: "/api/v1/calendars",
    command: commands.createCalendar,
    status: 201,
    tag: "catalog",
  },
  { method: "get", path: "/api/v1/calendars", command: commands.listCalendars, tag: "catalog" },
  { method: "get", path: "/api/v1/calendars/:id", command: commands.getCalendar, tag: "catalog" },
  {
    method: "patch",
    path: "/api/v1/calendars/:id",
    command: commands.updateCalendar,
    tag: "catalog",
  },
  {
    method: "delete",
    path: "/api/v1/calendars/:id",
    command: commands.deleteCalendar,
    tag: "catalog",
  },
  {
    method: "get",
    path: "/api/v1/calendars/:calendarId/availability",
    command: commands.availability,
    tag: "booking",
  },
  {
    method: "post",
    path: "/api/v1/services",
    command: commands.createService,
    status: 201,
    tag: "catalog",
  },
  { method: "get", path: "/api/v1/services", command: commands.listServices, tag: "catalog" },
  { method: "get", path: "/api/v1/services/:id", command: commands.getService, tag: "catalog" },
  {
    method: "patch",
    path: "/api/v1/services/:id",
    command: commands.updateService,
    tag: "catalog",
  },
  {
    method: "delete",
    path: "/api/v1/services/:id",
    command: commands.deleteService,
    tag: "catalog",
  },
  {
    method: "post",
    path: "/api/v1/holds",
    command: commands.createHold,
    status: 201,
    tag: "booking",
  },
  { method: "get", path: "/api/v1/holds", command: commands.listHolds, tag: "booking" },
  { method: "delete", path: "/api/v1/holds/:id", command: commands.releaseHold, tag: "booking" },
  {
    method: "post",
    path: "/api/v1/holds/:id/checkout",
    command: commands.checkoutHold,
    status: 201,
    tag: "booking",
  },
  {
    method: "post",
    path: "/api/v1/holds/:id/release",
    command: commands.releaseHold,
    tag: "booking",
    operationId: "holds.release.post",
  },
  {
    method: "post",
    path: "/api/v1/bookings",
    command: commands.createBooking,
    status: 201,
    tag: "booking",
  },
  { method: "get", path: "/api/v1/bookings", command: commands.listBookings, tag: "booking" },
  { method: "get", path: "/api/v1/bookings/:id", command: commands.getBooking, tag: "booking" },
  {
    method: "post",
    path: "/api/v1/bookings/:id/cancel",
    command: commands.cancelBooking,
    tag: "booking",
  },
  {
    method: "post",
    path: "/api/v1/bookings/:id/reschedule",
    command: commands.rescheduleBooking,
    tag: "booking",
  },
  {
    method: "post",
    path: "/api/v1/bookings/:id/no-show",
    command: commands.markNoShow,
    tag: "booking",
  },
  { method: "get", path: "/api/v1/usage", command: commands.usage, tag: "booking" },
  { method: "get", path: "/api/v1/analytics", command: commands.getAnalytics, tag: "booking" },
  {
    method: "get",
    path: "/v1/widget/:tenantCode/availability",
    command: commands.availability,
    tag: "widget",
    operationId: "widget.availability.get",
  },
  {
    method: "post",
    path: "/v1/widget/:tenantCode/holds",
    command: commands.createHold,
    status: 201,
    tag: "widget",
    operationId: "widget.holds.create",
  },
  {
    method: "delete",
    path: "/v1/widget/:tenantCode/holds/:id",
    command: commands.releaseHold,
    tag: "widget",
    operationId: "widget.holds.release",
  },
  {
    method: "post",
    path: "/v1/widget/:tenantCode/holds/:id/checkout",
    command: commands.checkoutHold,
    status: 201,
    tag: "widget",
    operationId: "widget.holds.checkout",
  },
  {
    method: "post",
    path: "/v1/widget/:tenantCode/bookings",
    command: commands.widgetCreateBooking,
    status: 201,
    tag: "widget",
  },
  {
    method: "get",
    path: "/v1/widget/:tenantCode/bookings/:id",
    command: commands.selfServiceGetBooking,
    tag: "widget",
  },
  {
    method: "get",
    path: "/v1/widget/:tenantCode/bookings/:id/ics",
    command: commands.widgetBookingCalendarFile,
    tag: "calendars",
    fileType: "text/calendar",
  },
  {
    method: "get",
    path: "/api/v1/bookings/:id/ics",
    command: commands.bookingCalendarFile,
    tag: "calendars",
    fileType: "text/calendar",
  },
  {
    method: "get",
    path: "/api/v1/calendars/:id/feed",
    command: commands.getCalendarFeed,
    tag: "calendars",
  },
  {
    method: "post",
    path: "/api/v1/calendars/:id/feed",
    command: commands.rotateCalendarFeed,
    tag: "calendars",
  },
  {
    method: "delete",
    path: "/api/v1/calendars/:id/feed",
    command: commands.revokeCalendarFeed,
    tag: "calendars",
  },
  {
    method: "get",
    path: "/feeds/calendars/:calendarId/:file",
    command: commands.calendarFeed,
    tag: "calendars",
    fileType: "text/calendar",
  },
  {
    method: "post",
    path: "/v1/widget/:tenantCode/bookings/:id/cancel",
    command: commands.selfServiceCancel,
    tag: "widget",
  },
  {
    method: "post",
    path: "/v1/widget/:tenantCode/bookings/:id/reschedule",
    command: commands.selfServiceReschedule,
    tag: "widget",
  },
  {
    method: "get",
    path: "/api/v1/bookings/:id/manage-token",
    command: commands.bookingManageToken,
    tag: "booking",
  },
  {
    method: "post",
    path: "/api/v1/webhook-sources",
    command: commands.createWebhookSource,
    status: 201,
    tag: "webhooks",
  },
  {
    method: "get",
    path: "/api/v1/webhook-sources",
    command: commands.listWebhookSources,
    tag: "webhooks",
  },
  {
    method: "patch",
    path: "/api/v1/webhook-sources/:id",
    command: commands.updateWebhookSource,
    tag: "webhooks",
  },
  {
    method: "delete",
    path: "/api/v1/webhook-sources/:id",
    command: commands.deleteWebhookSource,
    tag: "webhooks",
  },
  {
    method: "post",
    path: "/api/v1/webhook-sources/:id/rotate-secret",
    command: commands.rotateWebhookSourceSecret,
    tag: "webhooks",
  },
  { method: "get", path: "/api/v1/billing", command: commands.getBilling, tag: "billing" },
  {
    method: "post",
    path: "/api/v1/billing/checkout",
    command: commands.billingCheckout,
    tag: "billing",
  },
  {
    method: "post",
    path: "/api/v1/billing/portal",
    command: commands.billingPortal,
    tag: "billing",
  },
  {
    method: "post",
    path: "/api/v1/admin/billing/report-usage",
    command: commands.adminReportUsage,
    tag: "admin",
  },
  {
    method: "post",
    path: "/api/v1/webhooks",
    command: commands.createWebhookEndpoint,
    status: 201,
    tag: "webhooks",
  },
  {
    method: "get",
    path: "/api/v1/webhooks",
    command: commands.listWebhookEndpoints,
    tag: "webhooks",
  },
  {
    method: "get",
    path: "/api/v1/webhooks/:id",
    command: commands.getWebhookEndpoint,
    tag: "webhooks",
  },
  {
    method: "patch",
    path: "/api/v1/webhooks/:id",
    command: commands.updateWebhookEndpoint,
    tag: "webhooks",
  },
  {
    method: "delete",
    path: "/api/v1/webhooks/:id",
    command: commands.deleteWebhookEndpoint,
    tag: "webhooks",
  },
  {
    method: "post",
    path: "/api/v1/webhooks/:id/rotate-secret",
    command: commands.rotateWebhookEndpointSecret,
    tag: "webhooks",
  },
  {
    method: "post",
    path: "/api/v1/webhooks/:id/ping",
    command: commands.pingWebhookEndpoint,
    tag: "webhooks",
  },
  {
    method: "get",
    path: "/api/v1/webhooks/:id/deliveries",
    command: commands.listWebhookDeliveries,
    tag: "webhooks",
  },
  {
    method: "post",
    path: "/api/v1/webhooks/:id/deliveries/:deliveryId/replay",
    command: commands.replayWebhookDelivery,
    status: 201,
    tag: "webhooks",
  },
  {
    method: "post",
    path: "/webhooks/in/:sourceId",
    command: receiveInboundEvent,
    tag: "webhooks",
    ownAdapter: true,
  },
];

/** Mounts every REST route on the router. */
export function mountRestRoutes(router: Router<HttpState>, services: EngineServices): void {
  for (const route of restRoutes) {
    if (route.ownAdapter) continue;
    router[route.method](route.path, async (ctx) => {
      const params = ctx.params as Record<string, string>;
      const output = await executeCommand(services, route.command, {
        input: restInput(ctx.query, ctx.state.body, params),
        credential: credentialOf(ctx),
        tenantHint: tenantHintOf(ctx, services.config.baseDomain, params["tenantCode"]),
        browserOrigin: ctx.get("origin") || undefined,
        // The widget's calls are REST in shape; analytics tells them apart by their paths.
        protocol: route.path.startsWith("/v1/widget/") ? "widget" : "rest",
        ipAddress: ctx.ip,
        requestId: ctx.state.requestId,
        idempotencyKey: ctx.get("idempotency-key") || undefined,
        // Koa 3's `ctx.origin` is the Origin header; links need where the request arrived.
        requestBase: `${ctx.protocol}://${ctx.host}`,
      });
      ctx.status = route.status ?? 200;
      if (output instanceof FileOutput) {
        ctx.type = output.mediaType;
        ctx.set("cache-control", output.cacheControl);
        ctx.set("content-disposition", `inline; filename="${output.fileName}"`);
        ctx.body = output.content;
        return;
      }
      ctx.body = output;
    });
  }
}

/** Query, body and path parameters as one input; a body that is not an object stays as is. */
function restInput(query: object, body: unknown, params: Record<string, string>): unknown {
  if (body !== undefined && (typeof body !== "object" || body === null || Array.isArray(body))) {
    return body;
  }
  const { tenantCode: _tenantCode, ...pathInput } = params;
  return { ...query, ...(body as object | undefined), ...pathInput };
}
