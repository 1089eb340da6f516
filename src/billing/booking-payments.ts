import type { EntityManager } from "@mikro-orm/core";
import { createHash } from "node:crypto";
import type Stripe from "stripe";
import type { EngineServices } from "../commands/command.js";
import { isAppError, type ErrorCode } from "../domain/app-error.js";
import { refundDue, type BookingPaymentStatus } from "../domain/payments.js";
import type { BookingView } from "../engine/booking-view.js";
import type { CalendarMessage } from "../engine/calendar-actor.js";
import { moduleLogger } from "../logger.js";
import { BookingPayment, Hold, Tenant } from "../store/entities/index.js";
import { idPrefixes } from "../store/ids.js";
import { bookingPaymentKind } from "./booking-checkout.js";

const log = moduleLogger("billing:booking-payments");

/** Statuses a payment has settled in: no event moves it from these again. */
const settled: readonly BookingPaymentStatus[] = ["paid", "refunded", "partially_refunded"];

/** Refusals that mean the paid slot cannot be booked any more: the money goes back. */
const unbookable: ReadonlySet<ErrorCode> = new Set([
  "hold_expired",
  "slot_unavailable",
  "invalid_input",
  "not_found",
  "plan_limit_reached",
  "conflict",
]);

/** A payment with the unit of work confined to its tenant. */
interface PaymentInHand {
  em: EntityManager;
  payment: BookingPayment;
}

/**
 * Applies a Stripe event about a booking's prepayment: a paid Checkout books the held slot
 * (or refunds it when the slot is gone), an expired or failed one releases the hold. Answers
 * whether the event was about a booking payment. A second delivery changes nothing.
 */
export async function handleBookingPaymentEvent(
  services: EngineServices,
  event: Stripe.Event,
): Promise<boolean> {
  switch (event.type) {
    case "checkout.session.completed":
    case "checkout.session.async_payment_succeeded":
      return onSessionPaid(services, event.data.object);
    case "checkout.session.expired":
      return onCheckoutEnded(services, event.data.object.metadata, "expired");
    case "checkout.session.async_payment_failed":
    case "payment_intent.payment_failed":
      return onCheckoutEnded(services, event.data.object.metadata, "failed");
    default:
      return false;
  }
}

/** The payment an object's metadata names, if the object is a booking payment's. */
async function findPayment(
  services: EngineServices,
  metadata: Stripe.Metadata | null,
): Promise<PaymentInHand | "not_ours" | "unknown"> {
  if (metadata?.kind !== bookingPaymentKind) return "not_ours";
  const tenantId = metadata.tenant_id;
  const paymentId = metadata.payment_id;
  if (!tenantId || !paymentId) return "unknown";
  const em = services.db.forkForTenant(tenantId);
  const payment = await em.findOne(BookingPayment, { id: paymentId });
  if (!payment) {
    log.warn({ tenantId, paymentId }, "Stripe named a booking payment that does not exist");
    return "unknown";
  }
  return { em, payment };
}

async function onSessionPaid(services: EngineServices, session: Stripe.Checkout.Session) {
  const found = await findPayment(services, session.metadata);
  if (typeof found === "string") return found !== "not_ours";
  const { em, payment } = found;
  if (settled.includes(payment.status)) return true;
  payment.paymentIntentId = idOf(session.payment_intent) ?? payment.paymentIntentId;
  // An asynchronous method (a bank debit) completes the session before the money arrives.
  if (session.payment_status !== "paid") {
    await em.flush();
    return true;
  }

  const booked = await bookPaidHold(services, em, payment);
  if (booked) {
    await moveTo(em, payment, "paid", { bookingId: booked.id });
    log.info({ paymentId: payment.id, bookingId: booked.id }, "payment pending -> paid");
    return true;
  }
  await refund(services, em, payment, payment.amountCents);
  return true;
}

/**
 * Books the slot the payment held, through the calendar actor like any booking through a hold.
 * When the hold is gone the slot is booked directly if it is still free. The booking id comes
 * from the payment, so a redelivered event finds the booking it already made. Undefined when
 * the slot cannot be had.
 */
async function bookPaidHold(
  services: EngineServices,
  em: EntityManager,
  payment: BookingPayment,
): Promise<BookingView | undefined> {
  const hold = await em.findOne(Hold, { id: payment.holdId });
  if (!hold) return undefined;
  const message: Extract<CalendarMessage, { op: "book" }> = {
    op: "book",
    tenantId: payment.tenant,
    bookingId: bookingIdOf(payment),
    serviceId: hold.serviceId,
    startMs: hold.startMs,
    holdId: hold.id,
    paymentId: payment.id,
    customer: {
      name: payment.customerName,
      email: payment.customerEmail,
      phone: payment.customerPhone ?? undefined,
    },
  };
  const key = `calendar:${hold.calendarId}`;
  const attempt = (book: typeof message) =>
    services.actors.ask<BookingView>(key, book, { timeoutMs: 10_000 });
  try {
    return await attempt(message);
  } catch (error) {
    if (!isAppError(error) || error.code !== "hold_expired") return refusal(error, payment);
  }
  try {
    return await attempt({ ...message, holdId: undefined });
  } catch (error) {
    return refusal(error, payment);
  }
}

/** A refusal that means the slot is lost is undefined; anything else is thrown for a retry. */
function refusal(error: unknown, payment: BookingPayment): undefined {
  if (!isAppError(error) || !unbookable.has(error.code)) throw error;
  log.info({ paymentId: payment.id, code: error.code }, "paid slot cannot be booked; refunding");
  return undefined;
}

async function onCheckoutEnded(
  services: EngineServices,
  metadata: Stripe.Metadata | null,
  status: "expired" | "failed",
): Promise<boolean> {
  const found = await findPayment(services, metadata);
  if (typeof found === "string") return found !== "not_ours";
  const { em, payment } = found;
  if (payment.status !== "pending") return true;
  const hold = await em.findOne(Hold, { id: payment.holdId });
  if (hold?.status === "active") {
    const release = { op: "release", tenantId: payment.tenant, holdId: hold.id };
    await services.actors
      .ask(`calendar:${hold.calendarId}`, release, { timeoutMs: 10_000 })
      .catch((error: unknown) => {
        // Released or expired in the meantime: the slot is free either way.
        if (!isAppError(error) || error.code !== "not_found") throw error;
      });
  }
  await moveTo(em, payment, status);
  log.info({ paymentId: payment.id }, `payment pending -> ${status}`);
  return true;
}

/**
 * Gives back a cancelled booking's prepayment as far as the tenant's refund policy says. Runs
 * after the cancellation committed; a failed refund is logged for staff to settle by hand and
 * does not undo the cancellation.
 */
export async function refundCancelledBooking(
  services: EngineServices,
  em: EntityManager,
  tenant: Tenant,
  booking: BookingView,
): Promise<PaymentSummary | undefined> {
  const payment = await em.findOne(BookingPayment, { bookingId: booking.id, status: "paid" });
  if (!payment) return undefined;
  const rule = { policy: tenant.refundPolicy, cutoffHours: tenant.refundCutoffHours };
  const cents = refundDue(rule, payment.amountCents, Date.parse(booking.start), Date.now());
  log.info({ paymentId: payment.id, policy: rule.policy, cents }, "booking cancelled");
  if (cents > 0) {
    try {
      await refund(services, em, payment, cents);
    } catch (err) {
      log.error(
        { err, paymentId: payment.id, cents },
        "refund failed; settle it in Stripe by hand",
      );
    }
  }
  return summarizePayment(payment);
}

/** A booking's prepayment as booking answers show it. */
export interface PaymentSummary {
  status: BookingPaymentStatus;
  amountCents: number;
  currency: string;
  refundedCents: number;
}

/** The prepayment of a booking, if it had one. */
export async function findBookingPayment(
  em: EntityManager,
  bookingId: string,
): Promise<PaymentSummary | undefined> {
  const payment = await em.findOne(BookingPayment, { bookingId });
  return payment ? summarizePayment(payment) : undefined;
}

function summarizePayment(payment: BookingPayment): PaymentSummary {
  const { status, amountCents, currency, refundedCents } = payment;
  return { status, amountCents, currency, refundedCents };
}

/** Refunds `cents` of a payment in Stripe (once: keyed by the payment) and records it. */
async function refund(
  services: EngineServices,
  em: EntityManager,
  payment: BookingPayment,
  cents: number,
): Promise<void> {
  const stripe = services.stripe;
  if (!stripe || !payment.paymentIntentId) {
    throw new Error(`payment ${payment.id} cannot be refunded: no Stripe client or intent`);
  }
  const made = await stripe.refunds.create(
    {
      payment_intent: payment.paymentIntentId,
      amount: cents,
      metadata: { payment_id: payment.id },
    },
    { idempotencyKey: `refund-${payment.id}` },
  );
  const status = cents >= payment.amountCents ? "refunded" : "partially_refunded";
  await moveTo(em, payment, status, { refundId: made.id, refundedCents: cents });
  log.info({ paymentId: payment.id, refundId: made.id, cents }, `payment -> ${status}`);
}

/** Writes a payment's new status (and what came with it). */
async function moveTo(
  em: EntityManager,
  payment: BookingPayment,
  status: BookingPaymentStatus,
  changes: Partial<Pick<BookingPayment, "bookingId" | "refundId" | "refundedCents">> = {},
): Promise<void> {
  em.assign(payment, { ...changes, status });
  await em.flush();
}

/** The booking a payment makes: always the same id, so booking it twice finds the first. */
function bookingIdOf(payment: BookingPayment): string {
  const digest = createHash("sha256").update(`payment\u0000${payment.id}`).digest("hex");
  return `${idPrefixes.booking}_p${digest.slice(0, 25)}`;
}

function idOf(value: string | { id: string } | null): string | null {
  if (value === null) return null;
  return typeof value === "string" ? value : value.id;
}
