import { z } from "zod";
import { errors } from "../domain/app-error.js";
import { viewBookingEntity, type BookingView } from "../engine/booking-view.js";
import { Booking, type Tenant } from "../store/entities/index.js";
import { issueManageToken, manageTokenKey, verifyManageToken } from "../tenants/manage-tokens.js";
import {
  cancelBookingCommand,
  createBookingCommand,
  rescheduleBookingCommand,
} from "./booking-commands.js";
import { defineCommand, tenantOf, type CommandContext } from "./command.js";
import { managedBookingOutput } from "./output-schemas.js";
import { idSchema } from "./schemas.js";

// Customers manage their own booking with the manage token its creation answered: they may
// read it, and cancel or move it when the tenant allows that and its cut-off has not passed.
// The changes themselves are the staff commands', run on the customer's behalf.

const widgetCallers = {
  kind: "tenant",
  credentials: ["publishable", "secret", "staff"],
} as const;
const operators = { kind: "tenant", credentials: ["secret", "agent", "staff"] } as const;

/** The manage token as the widget sends it: `?token=` on reads, `"token"` in bodies. */
const manageTokenSchema = z.string().min(1, "send the booking's manage token").max(2000);
const manageInput = z.object({ id: idSchema, token: manageTokenSchema });
const newStart = z.iso
  .datetime({ offset: true, message: "expected an ISO 8601 time with an offset or Z" })
  .transform((value) => Date.parse(value));

/** A booking with a fresh manage token and what its customer may change now. */
type ManagedBooking = z.output<typeof managedBookingOutput>;

async function manageView(context: CommandContext, booking: BookingView): Promise<ManagedBooking> {
  const tenant = tenantOf(context);
  const startMs = Date.parse(booking.start);
  const changeableUntilMs = startMs - tenant.selfServiceCutoffHours * 3_600_000;
  const open = booking.status === "confirmed" && Date.now() < changeableUntilMs;
  const { token } = await issueManageToken(manageTokenKey(context.services.secrets.jwtKey), {
    tenantId: tenant.id,
    bookingId: booking.id,
    bookingEndMs: Date.parse(booking.end),
  });
  return {
    ...booking,
    status: booking.status as ManagedBooking["status"],
    manageToken: token,
    selfService: {
      canCancel: open && tenant.selfServiceCancel,
      canReschedule: open && tenant.selfServiceReschedule,
      changeableUntil: new Date(changeableUntilMs).toISOString(),
    },
  };
}

/** The booking a manage token opens; any flaw in the token is refused before a lookup. */
export async function openBooking(
  context: CommandContext,
  id: string,
  token: string,
): Promise<Booking> {
  const key = manageTokenKey(context.services.secrets.jwtKey);
  await verifyManageToken(key, token, { tenantId: tenantOf(context).id, bookingId: id });
  const booking = await context.em.findOne(Booking, { id });
  if (!booking) throw errors.notFound("booking", id);
  return booking;
}

/** Refuses a change the tenant does not allow, or one of a booking past its cut-off. */
function assertChangeable(tenant: Tenant, booking: Booking, change: "cancel" | "reschedule") {
  const allowed = change === "cancel" ? tenant.selfServiceCancel : tenant.selfServiceReschedule;
  if (!allowed) throw errors.selfServiceDisabled(change);
  if (booking.status !== "confirmed") {
    throw errors.conflict(`booking ${booking.id} is ${booking.status}; it cannot change any more`);
  }
  // Checked on the stored start before the actor's turn; a staff move in that instant is
  // not seen (the actor still refuses a booking that is no longer confirmed).
  const cutoffMs = tenant.selfServiceCutoffHours * 3_600_000;
  if (Date.now() >= booking.startMs - cutoffMs) {
    throw errors.changeWindowClosed(booking.id, tenant.selfServiceCutoffHours);
  }
}

export const widgetCreateBooking = defineCommand({
  name: "widget.bookings.create",
  summary:
    "Book a slot for a customer from the widget; the answer carries the booking's manage token.",
  access: { kind: "tenant", credentials: ["publishable", "secret", "agent", "staff"] },
  output: managedBookingOutput,
  idempotent: true,
  input: createBookingCommand.input,
  async run(context, input) {
    const booking = (await createBookingCommand.run(context, input)) as BookingView;
    return manageView(context, booking);
  },
});

export const selfServiceGetBooking = defineCommand({
  name: "widget.bookings.get",
  summary: "Read the booking a manage token opens, with what its customer may change now.",
  access: widgetCallers,
  output: managedBookingOutput,
  input: manageInput,
  async run(context, input) {
    const booking = await openBooking(context, input.id, input.token);
    return manageView(context, viewBookingEntity(booking));
  },
});

export const selfServiceCancel = defineCommand({
  name: "widget.bookings.cancel",
  summary:
    "Cancel the booking a manage token opens, when the tenant allows it and its cut-off has not passed.",
  access: widgetCallers,
  output: managedBookingOutput,
  input: manageInput,
  async run(context, input) {
    const booking = await openBooking(context, input.id, input.token);
    assertChangeable(tenantOf(context), booking, "cancel");
    const cancelled = await cancelBookingCommand.run(context, { id: booking.id });
    return manageView(context, cancelled as BookingView);
  },
});

export const selfServiceReschedule = defineCommand({
  name: "widget.bookings.reschedule",
  summary:
    "Move the booking a manage token opens to another start (409 slot_unavailable when taken; nothing changes).",
  access: widgetCallers,
  output: managedBookingOutput,
  input: manageInput.extend({ start: newStart }),
  async run(context, input) {
    const booking = await openBooking(context, input.id, input.token);
    assertChangeable(tenantOf(context), booking, "reschedule");
    const moved = await rescheduleBookingCommand.run(context, {
      id: booking.id,
      start: input.start,
    });
    return manageView(context, moved as BookingView);
  },
});

export const bookingManageToken = defineCommand({
  name: "bookings.manage_token",
  summary: "Read a booking with a manage token for its customer (to send them their manage link).",
  access: operators,
  output: managedBookingOutput,
  input: z.object({ id: idSchema }),
  async run(context, input) {
    const booking = await context.em.findOne(Booking, { id: input.id });
    if (!booking) throw errors.notFound("booking", input.id);
    return manageView(context, viewBookingEntity(booking));
  },
});
