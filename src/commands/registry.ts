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
import { getBranding, updateBranding } from "./branding-commands.js";
import { adminClusterProbe, adminClusterView } from "./cluster-commands.js";
import type { AnyCommand } from "./command.js";
import {
  getCustomDomain,
  removeCustomDomain,
  setCustomDomain,
  verifyCustomDomain,
} from "./domain-commands.js";
import {
  createKey,
  getTenant,
  listKeys,
  logIn,
  revokeKey,
  signUp,
  updateTenant,
} from "./tenancy-commands.js";
import {
  createWebhookSource,
  deleteWebhookSource,
  listWebhookSources,
  rotateWebhookSourceSecret,
  updateWebhookSource,
} from "./inbound-webhook-commands.js";
import { attachHold, detachHold, realtimeConnect } from "./realtime-commands.js";
import {
  bookingManageToken,
  selfServiceCancel,
  selfServiceGetBooking,
  selfServiceReschedule,
  widgetCreateBooking,
} from "./self-service-commands.js";
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
  getBranding,
  updateBranding,
  getCustomDomain,
  setCustomDomain,
  verifyCustomDomain,
  removeCustomDomain,
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
  createWebhookSource,
  listWebhookSources,
  updateWebhookSource,
  deleteWebhookSource,
  rotateWebhookSourceSecret,
  widgetCreateBooking,
  selfServiceGetBooking,
  selfServiceCancel,
  selfServiceReschedule,
  bookingManageToken,
} as const;

/** Every command as a list, for generated documents and tool lists. */
export const commandList: readonly AnyCommand[] = Object.values(commands);
