import { UniqueConstraintViolationException } from "@mikro-orm/core";
import { z } from "zod";
import {
  checkoutHoldMarginMs,
  checkoutOpenMs,
  createBookingCheckout,
} from "../billing/booking-checkout.js";
import { requireStripe } from "../billing/stripe-client.js";
import { errors } from "../domain/app-error.js";
import type { HoldView } from "../engine/booking-view.js";
import { BookingPayment, Hold, Service } from "../store/entities/index.js";
import { idPrefixes, newId } from "../store/ids.js";
import { askCalendar, customerSchema } from "./booking-commands.js";
import { defineCommand, publicBaseOf, tenantOf, type CommandContext } from "./command.js";
import { checkoutOutput } from "./output-schemas.js";

const customers = {
  kind: "tenant",
  credentials: ["publishable", "secret", "agent", "staff"],
} as const;

const returnUrl = z.url({ protocol: /^https?$/, message: "expected an http(s) URL" }).max(2000);

/** What a checkout answers: where to send the customer, and how long the slot stays held. */
type CheckoutAnswer = z.output<typeof checkoutOutput>;

/** The hold, if it is still active; another tenant's hold is not found. */
async function findActiveHold(context: CommandContext, id: string): Promise<Hold> {
  const hold = await context.em.findOne(Hold, { id });
  if (!hold) throw errors.notFound("hold", id);
  if (hold.status !== "active" || hold.expiresAtMs <= Date.now()) throw errors.holdExpired(id);
  return hold;
}

/** The service a hold is for, which must be one paid in advance. */
async function prepaidService(context: CommandContext, hold: Hold): Promise<Service> {
  const service = await context.em.findOne(Service, { id: hold.serviceId });
  if (!service) throw errors.notFound("service", hold.serviceId);
  if (!service.requiresPrepayment) {
    throw errors.conflict(
      `service ${service.id} is not paid in advance; book hold ${hold.id} directly with POST /bookings`,
    );
  }
  return service;
}

/**
 * The checkout already opened for this hold, answered again while its session is open (a
 * double click, a retry); a finished one refuses a second payment for the same hold.
 */
async function reopenCheckout(
  context: CommandContext,
  hold: Hold,
): Promise<CheckoutAnswer | undefined> {
  const payment = await context.em.findOne(BookingPayment, { holdId: hold.id });
  if (!payment) return undefined;
  const stripe = requireStripe(context.services.stripe);
  const session = await stripe.checkout.sessions.retrieve(payment.checkoutSessionId);
  const open = !session.status || session.status === "open";
  if (payment.status !== "pending" || !open || !session.url) {
    throw errors.conflict(
      `hold ${hold.id} already has a checkout that is ${payment.status}; hold the slot again to pay anew`,
    );
  }
  return {
    url: session.url,
    sessionId: session.id,
    paymentId: payment.id,
    holdExpiresAt: new Date(hold.expiresAtMs).toISOString(),
  };
}

/** Writes the new payment; a concurrent checkout of the same hold got there first: 409. */
async function flushOnce(context: CommandContext, holdId: string): Promise<void> {
  try {
    await context.em.flush();
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    throw errors.conflict(`hold ${holdId} is being paid for already; use the first checkout`);
  }
}

export const checkoutHoldCommand = defineCommand({
  name: "holds.checkout",
  summary:
    "Start paying for a held slot of a prepaid service: answers a Stripe Checkout URL; the booking is made once the payment succeeds.",
  access: customers,
  output: checkoutOutput,
  input: z.object({
    id: z.string().regex(/^hld_[a-z0-9]{1,40}$/, "expected a hold id (hld_…)"),
    customer: customerSchema,
    successUrl: returnUrl.optional(),
    cancelUrl: returnUrl.optional(),
  }),
  async run(context, input): Promise<CheckoutAnswer> {
    const stripe = requireStripe(context.services.stripe);
    const tenant = tenantOf(context);
    const hold = await findActiveHold(context, input.id);
    const service = await prepaidService(context, hold);
    const reopened = await reopenCheckout(context, hold);
    if (reopened) return reopened;

    // The slot is kept through checkout first: a session is never opened for a lost hold.
    const expiresAtMs = Date.now() + checkoutOpenMs;
    const held = await askCalendar<HoldView>(context, hold.calendarId, {
      op: "checkout",
      holdId: hold.id,
      untilMs: expiresAtMs + checkoutHoldMarginMs,
    });

    const paymentId = newId(idPrefixes.bookingPayment);
    const base = publicBaseOf(context);
    const session = await createBookingCheckout(stripe, {
      paymentId,
      tenantId: tenant.id,
      holdId: hold.id,
      serviceName: service.name,
      amountCents: service.priceCents,
      currency: service.currency,
      customerEmail: input.customer.email,
      expiresAtMs,
      successUrl:
        input.successUrl ?? `${base}/?vbwd-payment=success&session_id={CHECKOUT_SESSION_ID}`,
      cancelUrl: input.cancelUrl ?? `${base}/?vbwd-payment=cancelled`,
    });
    if (!session.url) throw errors.unavailable("Stripe opened a checkout without a URL; retry");

    context.em.create(BookingPayment, {
      id: paymentId,
      tenant: tenant.id,
      holdId: hold.id,
      checkoutSessionId: session.id,
      amountCents: service.priceCents,
      currency: service.currency,
      status: "pending",
      customerName: input.customer.name,
      customerEmail: input.customer.email,
      customerPhone: input.customer.phone ?? null,
    });
    await flushOnce(context, hold.id);
    return { url: session.url, sessionId: session.id, paymentId, holdExpiresAt: held.expiresAt };
  },
});
