import { adminListTenants, adminUpdateTenant } from "./admin-commands.js";
import {
  availabilityCommand,
  cancelBookingCommand,
  createBookingCommand,
  createHoldCommand,
  getBookingCommand,
  listBookingsCommand,
  listHoldsCommand,
  noShowCommand,
  releaseHoldCommand,
  rescheduleBookingCommand,
  usageCommand,
} from "./booking-commands.js";
import {
  createCalendarCommand,
  createServiceCommand,
  deleteCalendarCommand,
  deleteServiceCommand,
  getCalendarCommand,
  getServiceCommand,
  listCalendarsCommand,
  listServicesCommand,
  updateCalendarCommand,
  updateServiceCommand,
} from "./catalog-commands.js";
import { adminClusterProbe, adminClusterView } from "./cluster-commands.js";
import type { AnyCommand } from "./command.js";
import {
  createKey,
  getTenant,
  listKeys,
  logIn,
  revokeKey,
  signUp,
  updateTenant,
} from "./tenancy-commands.js";
import { attachHold, detachHold, realtimeConnect } from "./realtime-commands.js";
import { widgetConfig, widgetOrigins } from "./widget-commands.js";

/** Every command of the engine, by name. Adapters look commands up here and nowhere else. */
export const commands = {
  signUp,
  logIn,
  getTenant,
  updateTenant,
  createKey,
  listKeys,
  revokeKey,
  adminListTenants,
  adminUpdateTenant,
  widgetConfig,
  widgetOrigins,
  adminClusterView,
  adminClusterProbe,
  createCalendar: createCalendarCommand,
  getCalendar: getCalendarCommand,
  listCalendars: listCalendarsCommand,
  updateCalendar: updateCalendarCommand,
  deleteCalendar: deleteCalendarCommand,
  createService: createServiceCommand,
  getService: getServiceCommand,
  listServices: listServicesCommand,
  updateService: updateServiceCommand,
  deleteService: deleteServiceCommand,
  availability: availabilityCommand,
  createHold: createHoldCommand,
  releaseHold: releaseHoldCommand,
  listHolds: listHoldsCommand,
  realtimeConnect,
  detachHold,
  attachHold,
  createBooking: createBookingCommand,
  getBooking: getBookingCommand,
  listBookings: listBookingsCommand,
  cancelBooking: cancelBookingCommand,
  rescheduleBooking: rescheduleBookingCommand,
  markNoShow: noShowCommand,
  usage: usageCommand,
} as const;

/** Every command as a list, for generated documents and tool lists. */
export const commandList: readonly AnyCommand[] = Object.values(commands);
