import type { Config } from "../config.js";
import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";
import { Calendar, Service, Tenant } from "../store/entities/index.js";
import { issueManageToken, manageTokenKey } from "../tenants/manage-tokens.js";
import { bookingIcs } from "./booking-calendar-file.js";
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
  calendarId: string;
  serviceId: string;
  updatedAt?: string;
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
  const recent = new Map<string, { batch: TenantBatch; readAt: number }>();
  return async (events: readonly DispatchedEvent[]): Promise<void> => {
    const wanted = events.filter((event) => messageTypes.has(event.type));
    const byTenant = new Map<string, DispatchedEvent[]>();
    for (const event of wanted) {
      byTenant.set(event.tenantId, [...(byTenant.get(event.tenantId) ?? []), event]);
    }
    for (const [tenantId, tenantEvents] of byTenant) {
      await messageTenantCustomers(deps, recent, tenantId, tenantEvents).catch((err: unknown) => {
        log.warn({ err, tenantId }, "booking messages not prepared");
      });
    }
  };
}

const messageTypes = new Set(["booking.created", "booking.cancelled", "booking.reminder"]);

/** What the messages of one tenant's batch share, read once for the batch. */
interface TenantBatch {
  tenant: Tenant;
  serviceNames: Map<string, string>;
  calendars: Map<string, { name: string; timezone: string }>;
}

/**
 * How long a tenant's name, branding, service names and calendars are reused for its messages
 * before they are read again: under load one read serves thousands of messages, and a message
 * with a name changed seconds ago is harmless.
 */
const lookupTtlMs = 10_000;

/** One tenant's events of a batch: its tenant, services and calendars read once for all. */
async function messageTenantCustomers(
  deps: BookingMessageDeps,
  recent: Map<string, { batch: TenantBatch; readAt: number }>,
  tenantId: string,
  events: DispatchedEvent[],
): Promise<void> {
  const bookings = events.map((event) => event.data as unknown as BookingData);
  const cached = recent.get(tenantId);
  const known =
    cached !== undefined &&
    Date.now() - cached.readAt < lookupTtlMs &&
    bookings.every(
      (booking) =>
        cached.batch.serviceNames.has(booking.serviceId) &&
        cached.batch.calendars.has(booking.calendarId),
    );
  const batch = known ? cached.batch : await readTenantBatch(deps, tenantId, bookings);
  if (!batch) return;
  if (!known) {
    if (recent.size > 10_000) recent.clear();
    recent.set(tenantId, { batch, readAt: Date.now() });
  }
  for (const event of events) {
    await messageCustomer(deps, batch, event).catch((err: unknown) => {
      log.warn({ err, event: event.id, type: event.type }, "booking message not prepared");
    });
  }
}

async function readTenantBatch(
  deps: BookingMessageDeps,
  tenantId: string,
  bookings: BookingData[],
): Promise<TenantBatch | undefined> {
  const em = deps.db.forkForTenant(tenantId);
  const tenant = await em.findOne(Tenant, { id: tenantId });
  if (!tenant) return undefined;
  const serviceIds = [...new Set(bookings.map((booking) => booking.serviceId))];
  const calendarIds = [...new Set(bookings.map((booking) => booking.calendarId))];
  const [services, calendars] = await Promise.all([
    em.find(Service, { id: { $in: serviceIds } }, { fields: ["id", "name"] }),
    em.find(Calendar, { id: { $in: calendarIds } }, { fields: ["id", "name", "timezone"] }),
  ]);
  return {
    tenant,
    serviceNames: new Map(services.map((service) => [service.id, service.name])),
    calendars: new Map(calendars.map((calendar) => [calendar.id, calendar])),
  };
}

async function messageCustomer(
  deps: BookingMessageDeps,
  { tenant, serviceNames, calendars }: TenantBatch,
  event: DispatchedEvent,
): Promise<void> {
  const booking = event.data as unknown as BookingData;
  const serviceName = serviceNames.get(booking.serviceId);
  const summary: BookingSummary = {
    customerName: booking.customer?.name ?? "",
    serviceName: serviceName ?? "your appointment",
    startIso: booking.start,
    timezone: tenant.timezone,
    locale: tenant.locale,
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
    const ics = bookingIcs(
      {
        id: booking.id,
        startMs: Date.parse(booking.start),
        endMs: Date.parse(booking.end),
        updatedMs: Date.parse(booking.updatedAt ?? booking.start),
        cancelled: false,
        customerName: booking.customer?.name ?? "",
        customerEmail: email,
      },
      { tenant, serviceName, calendar: calendars.get(booking.calendarId) },
    );
    deps.mailer.send({
      ...bookingConfirmedMessage(brand, withLink),
      tenantId: tenant.id,
      to: email,
      attachments: [
        { filename: "booking.ics", content: ics, contentType: "text/calendar; charset=utf-8" },
      ],
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
