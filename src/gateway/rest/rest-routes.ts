import type Router from "@koa/router";
import type { AnyCommand, EngineServices } from "../../commands/command.js";
import { executeCommand } from "../../commands/execute.js";
import { commands } from "../../commands/registry.js";
import type { HttpState } from "../http/http-state.js";
import { credentialOf, tenantHintOf } from "../http/request-identity.js";

type Method = "get" | "post" | "patch" | "delete";

/** One REST route: a method and path bound to a command. */
export interface RestRoute {
  method: Method;
  path: string;
  command: AnyCommand;
  /** Status on success (default 200). */
  status?: number;
}

/** The REST surface; every route only translates HTTP to a command and back. */
export const restRoutes: readonly RestRoute[] = [
  { method: "post", path: "/api/v1/signup", command: commands.signUp, status: 201 },
  { method: "post", path: "/api/v1/auth/login", command: commands.logIn },
  { method: "get", path: "/api/v1/tenant", command: commands.getTenant },
  { method: "patch", path: "/api/v1/tenant", command: commands.updateTenant },
  { method: "get", path: "/api/v1/keys", command: commands.listKeys },
  { method: "post", path: "/api/v1/keys", command: commands.createKey, status: 201 },
  { method: "delete", path: "/api/v1/keys/:id", command: commands.revokeKey },
  { method: "get", path: "/api/v1/admin/tenants", command: commands.adminListTenants },
  { method: "patch", path: "/api/v1/admin/tenants/:code", command: commands.adminUpdateTenant },
  { method: "get", path: "/v1/widget/:tenantCode/config", command: commands.widgetConfig },
  { method: "get", path: "/api/v1/admin/cluster", command: commands.adminClusterView },
  { method: "post", path: "/api/v1/admin/cluster/probe", command: commands.adminClusterProbe },
  { method: "post", path: "/api/v1/calendars", command: commands.createCalendar, status: 201 },
  { method: "get", path: "/api/v1/calendars", command: commands.listCalendars },
  { method: "get", path: "/api/v1/calendars/:id", command: commands.getCalendar },
  { method: "patch", path: "/api/v1/calendars/:id", command: commands.updateCalendar },
  { method: "delete", path: "/api/v1/calendars/:id", command: commands.deleteCalendar },
  {
    method: "get",
    path: "/api/v1/calendars/:calendarId/availability",
    command: commands.availability,
  },
  { method: "post", path: "/api/v1/services", command: commands.createService, status: 201 },
  { method: "get", path: "/api/v1/services", command: commands.listServices },
  { method: "get", path: "/api/v1/services/:id", command: commands.getService },
  { method: "patch", path: "/api/v1/services/:id", command: commands.updateService },
  { method: "delete", path: "/api/v1/services/:id", command: commands.deleteService },
  { method: "post", path: "/api/v1/holds", command: commands.createHold, status: 201 },
  { method: "get", path: "/api/v1/holds", command: commands.listHolds },
  { method: "delete", path: "/api/v1/holds/:id", command: commands.releaseHold },
  { method: "post", path: "/api/v1/holds/:id/release", command: commands.releaseHold },
  { method: "post", path: "/api/v1/bookings", command: commands.createBooking, status: 201 },
  { method: "get", path: "/api/v1/bookings", command: commands.listBookings },
  { method: "get", path: "/api/v1/bookings/:id", command: commands.getBooking },
  { method: "post", path: "/api/v1/bookings/:id/cancel", command: commands.cancelBooking },
  {
    method: "post",
    path: "/api/v1/bookings/:id/reschedule",
    command: commands.rescheduleBooking,
  },
  { method: "post", path: "/api/v1/bookings/:id/no-show", command: commands.markNoShow },
  { method: "get", path: "/api/v1/usage", command: commands.usage },
  { method: "get", path: "/v1/widget/:tenantCode/availability", command: commands.availability },
  {
    method: "post",
    path: "/v1/widget/:tenantCode/holds",
    command: commands.createHold,
    status: 201,
  },
  { method: "delete", path: "/v1/widget/:tenantCode/holds/:id", command: commands.releaseHold },
  {
    method: "post",
    path: "/v1/widget/:tenantCode/bookings",
    command: commands.createBooking,
    status: 201,
  },
];

/** Mounts every REST route on the router. */
export function mountRestRoutes(router: Router<HttpState>, services: EngineServices): void {
  for (const route of restRoutes) {
    router[route.method](route.path, async (ctx) => {
      const params = ctx.params as Record<string, string>;
      const output = await executeCommand(services, route.command, {
        input: restInput(ctx.query, ctx.state.body, params),
        credential: credentialOf(ctx),
        tenantHint: tenantHintOf(ctx, services.config.baseDomain, params["tenantCode"]),
        browserOrigin: ctx.get("origin") || undefined,
        protocol: "rest",
        ipAddress: ctx.ip,
        requestId: ctx.state.requestId,
        idempotencyKey: ctx.get("idempotency-key") || undefined,
      });
      ctx.status = route.status ?? 200;
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
