/** Room names; every one carries the tenant id, so no broadcast can cross tenants. */
export const rooms = {
  /** Viewers of one service's availability on one calendar. */
  availability: (tenantId: string, calendarId: string, serviceId: string | undefined) =>
    `a:${tenantId}:${calendarId}:${serviceId ?? "-"}`,
  /** Every viewer of a calendar, whatever the service: told when its hours change. */
  calendar: (tenantId: string, calendarId: string) => `c:${tenantId}:${calendarId}`,
  /** Staff sockets of a tenant: bookings and holds with customer details. */
  staff: (tenantId: string) => `s:${tenantId}`,
};
