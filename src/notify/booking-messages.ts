import type { Config } from "../config.js";
import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { Booking, Service, Tenant } from "../store/entities/index.js";
import { issueManageToken, manageTokenKey } from "../tenants/manage-tokens.js";
import { bookingCalendarFile } from "./booking-calendar-file.js";
import {
  bookingCancelledMessage,
  bookingConfirmedMessage,
  bookingReminderMessage,
  bookingReminderSms,
  brandOf,
  type BookingSummary,
} from "./email-templates.js";
import { manageLink } from "./links.js";
import type { Mailer } from "./mailer.js";
import { e164, type SmsSender } from "./sms.js";

const log = moduleLogger("notify:booking-messages");

/** An outbox event its partition's worker has just fanned out. */
export interface DispatchedEvent {
  id: string;
  tenantId: string;
  type: string;
  data: Record<string, unknown>;
}

/** What the customer messages need. */
export interface BookingMessageDeps {
  db: Database;
  config: Config;
  jwtKey: Uint8Array;
  mailer: Mailer;
  sms: SmsSender;
}

/** A booking as events carry it (the API's booking view). */
interface BookingData {
  id: string;
  serviceId: string;
  start: string;
  end: string;
  customer?: { name?: string; email?: string; phone?: string | null };
}

/**
 * Messages customers about their bookings, from the outbox: a confirmation with the booking's
 * `.ics` when it is made, a notice when it is cancelled, and a reminder (email, and a text
 * message on tenants with the SMS add-on) when its reminder falls due. The outbox worker of
 * the booking's partition calls this once per event after recording its fan-out, so each
 * message is sent by one node, once; a crash in the instant between that record and the
 * send loses the message, never doubles it. Customers without a deliverable address get no
 * email.
 */
export function bookingMessages(deps: BookingMessageDeps) {
  return async (events: readonly DispatchedEvent[]): Promise<void> => {
    for (const event of events) {
      if (!messageTypes.has(event.type)) continue;
      await messageCustomer(deps, event).catch((err: unknown) => {
        log.warn({ err, event: event.id, type: event.type }, "booking message not prepared");
      });
    }
  };
}

const messageTypes = new Set(["booking.created", "booking.cancelled", "booking.reminder"]);

async function messageCustomer(deps: BookingMessageDeps, event: DispatchedEvent): Promise<void> {
  const booking = event.data as unknown as BookingData;
  const em = deps.db.forkForTenant(event.tenantId);
  const tenant = await em.findOne(Tenant, { id: event.tenantId });
  if (!tenant) return;
  const service = await em.findOne(Service, { id: booking.serviceId }, { fields: ["name"] });
  const summary: BookingSummary = {
    customerName: booking.customer?.name ?? "",
    serviceName: service?.name ?? "your appointment",
    startIso: booking.start,
    timezone: tenant.timezone,
  };
  const brand = brandOf(tenant);
  const email = booking.customer?.email;
  // `.invalid` can never be delivered (RFC 2606): demo data's customers use it.
  const mailable = email !== undefined && !email.endsWith(".invalid");

  if (event.type === "booking.cancelled") {
    if (mailable) {
      const message = bookingCancelledMessage(brand, summary);
      deps.mailer.send({ ...message, tenantId: tenant.id, to: email });
    }
    return;
  }

  const withLink = { ...summary, manageLink: await linkFor(deps, tenant, booking) };
  if (event.type === "booking.created" && mailable) {
    const stored = await em.findOne(Booking, { id: booking.id });
    const file = stored ? await bookingCalendarFile(em, tenant, stored) : undefined;
    deps.mailer.send({
      ...bookingConfirmedMessage(brand, withLink),
      tenantId: tenant.id,
      to: email,
      attachments: file
        ? [{ filename: "booking.ics", content: file.content, contentType: file.mediaType }]
        : [],
    });
  }
  if (event.type === "booking.reminder") {
    if (mailable) {
      deps.mailer.send({
        ...bookingReminderMessage(brand, withLink),
        tenantId: tenant.id,
        to: email,
      });
    }
    const phone = e164(booking.customer?.phone);
    if (tenant.smsAddon && phone) {
      await deps.sms.send({
        tenantId: tenant.id,
        to: phone,
        template: "booking-reminder",
        body: bookingReminderSms(tenant.name, summary),
      });
    }
  }
}

/** The manage link, when the tenant lets customers cancel or move bookings themselves. */
async function linkFor(deps: BookingMessageDeps, tenant: Tenant, booking: BookingData) {
  if (!tenant.selfServiceCancel && !tenant.selfServiceReschedule) return undefined;
  const { token } = await issueManageToken(manageTokenKey(deps.jwtKey), {
    tenantId: tenant.id,
    bookingId: booking.id,
    bookingEndMs: Date.parse(booking.end),
  });
  return manageLink(deps.config, tenant, { bookingId: booking.id, token });
}
