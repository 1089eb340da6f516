import { UniqueConstraintViolationException, LockMode } from "@mikro-orm/core";
import { randomUUID } from "node:crypto";
import type Stripe from "stripe";
import { z } from "zod";
import { handleBookingPaymentEvent } from "../billing/booking-payments.js";
import { requireStripe } from "../billing/stripe-client.js";
import { openBillingPortal, startCheckout, viewBilling } from "../billing/subscription-checkout.js";
import {
  applySubscriptionEvent,
  subscriptionEventTypes,
  type SubscriptionEventOutcome,
} from "../billing/subscription-events.js";
import { reportBookingUsage } from "../billing/usage-reports.js";
import { billingIntervals } from "../domain/billing.js";
import { planSlugs, subscriptionStatuses } from "../domain/tenancy.js";
import { moduleLogger } from "../logger.js";
import { StripeEvent, Tenant } from "../store/entities/index.js";
import type { UsageView } from "../engine/tenant-actor.js";
import { askActor } from "./actor-errors.js";
import {
  defineCommand,
  publicBaseOf,
  tenantManagers,
  tenantOf,
  type EngineServices,
} from "./command.js";
import { refreshTenant } from "./tenant-refresh.js";

const log = moduleLogger("commands:billing");

/** Owners and admins manage billing, also while suspended for payment (so they can pay). */
const billingManagers = { ...tenantManagers, whileSuspended: true } as const;

const instant = z.iso.datetime({ offset: true });

/** A link to a Stripe-hosted page. */
const checkoutOutput = z.object({ url: z.string(), sessionId: z.string() });

/** The tenant's subscription. */
const billingOutput = z.object({
  plan: z.enum(planSlugs),
  status: z.enum(subscriptionStatuses),
  interval: z.enum(billingIntervals).nullable(),
  currentPeriodEnd: instant.nullable(),
  trialEndsAt: instant.nullable(),
  addOns: z.object({ extraUsers: z.int(), sms: z.boolean() }),
  subscribed: z.boolean(),
});

/** Starts a Stripe Checkout for a plan and add-ons. */
export const billingCheckout = defineCommand({
  name: "billing.checkout",
  summary:
    "Start a Stripe Checkout for a plan (monthly or yearly) with optional extra users and SMS " +
    "add-on; answers the page to send the owner to. The plan changes once Stripe confirms.",
  access: billingManagers,
  input: z.object({
    planSlug: z.enum(planSlugs),
    interval: z.enum(billingIntervals),
    extraUsers: z.number().int().min(0).max(1000).default(0),
    sms: z.boolean().default(false),
  }),
  output: checkoutOutput,
  idempotent: true,
  async run(context, input) {
    const stripe = requireStripe(context.services.stripe);
    const tenant = tenantOf(context);
    const requestKey = context.idempotencyKey ?? randomUUID();
    return startCheckout(stripe, context.em, tenant.id, input, publicBaseOf(context), requestKey);
  },
});

/** A Stripe billing portal session for the tenant's customer. */
export const billingPortal = defineCommand({
  name: "billing.portal",
  summary: "Open Stripe's billing portal for the tenant: payment methods, invoices, plan.",
  access: billingManagers,
  input: z.object({}),
  output: z.object({ url: z.string() }),
  async run(context) {
    const stripe = requireStripe(context.services.stripe);
    return openBillingPortal(stripe, context.em, tenantOf(context).id, publicBaseOf(context));
  },
});

/** The tenant's plan, subscription status, interval, period end and add-ons. */
export const getBilling = defineCommand({
  name: "billing.get",
  summary:
    "Read the tenant's subscription: plan, status, interval, period end and add-ons (also without Stripe, where the platform admin sets plans).",
  access: billingManagers,
  input: z.object({}),
  output: billingOutput,
  async run(context) {
    const id = tenantOf(context).id;
    return viewBilling(await context.em.findOneOrFail(Tenant, { id }, { populate: ["plan"] }));
  },
});

/**
 * Reports every subscribed tenant's bookings this month to Stripe's `vbwd_bookings` meter.
 * A scheduler (cron) calls it, say hourly; repeating it is harmless.
 */
export const adminReportUsage = defineCommand({
  name: "admin.billing.report_usage",
  summary:
    "Report each subscribed tenant's bookings this month to Stripe's vbwd_bookings meter " +
    "(platform operator; a cron calls this, repeating it is harmless).",
  access: { kind: "platform" },
  input: z.object({}),
  output: z.object({ period: z.string(), reported: z.int(), failed: z.int() }),
  async run({ services, em }) {
    const stripe = requireStripe(services.stripe);
    const tenants = await em.find(
      Tenant,
      { stripeSubscriptionId: { $ne: null }, stripeCustomerId: { $ne: null }, isActive: true },
      { fields: ["id", "stripeCustomerId"], orderBy: { id: "asc" } },
    );
    let reported = 0;
    let failed = 0;
    const period = new Date().toISOString().slice(0, 7);
    for (const tenant of tenants) {
      try {
        await reportTenantUsage(services, stripe, tenant.id, tenant.stripeCustomerId!);
        reported++;
      } catch (err) {
        // One tenant's failure must not stop the others; the next run reports it again.
        failed++;
        log.warn({ err, tenantId: tenant.id }, "booking usage not reported");
      }
    }
    return { period, reported, failed };
  },
});

async function reportTenantUsage(
  services: EngineServices,
  stripe: Stripe,
  tenantId: string,
  stripeCustomerId: string,
) {
  const ask = services.actors.ask(`tenant:${tenantId}`, { op: "usage" }, { timeoutMs: 10_000 });
  const usage = (await askActor(ask)) as UsageView;
  await reportBookingUsage(stripe, {
    tenantId,
    stripeCustomerId,
    period: usage.period,
    bookings: usage.bookings.used,
  });
}

/** What `POST /webhooks/stripe` answers. */
export interface StripeEventReceipt {
  received: true;
  duplicate?: true;
  /** Why the event changed nothing, when it did not. */
  ignored?: string;
}

/**
 * Applies one verified Stripe event at most once. Subscription events change their tenant
 * in one transaction with the event's `stripe_events` row; other events go to the booking
 * payments. Answers 200-worthy receipts for everything: Stripe retries anything else.
 */
export async function receiveStripeEvent(
  services: EngineServices,
  event: Stripe.Event,
  request: { ipAddress?: string | undefined; requestId?: string | undefined },
): Promise<StripeEventReceipt> {
  const em = services.db.fork();
  if (await em.findOne(StripeEvent, { id: event.id })) return { received: true, duplicate: true };
  if (!isSubscriptionEvent(event)) return receivePaymentEvent(services, event);

  const origin = {
    principal: { kind: "anonymous" } as const,
    protocol: "webhook",
    ipAddress: request.ipAddress,
    requestId: request.requestId,
  };
  const lockMode = services.db.target.dialect === "mysql" ? LockMode.PESSIMISTIC_WRITE : undefined;
  let outcome: SubscriptionEventOutcome;
  try {
    outcome = await em.transactional(async (tx) => {
      const result = await applySubscriptionEvent(tx, event, origin, lockMode);
      await tx.insert(StripeEvent, {
        id: event.id,
        type: event.type,
        receivedAt: new Date(),
        tenantId: result.tenantId,
      });
      return result;
    });
  } catch (err) {
    // A concurrent delivery of the same event committed first; this one changed nothing.
    if (err instanceof UniqueConstraintViolationException)
      return { received: true, duplicate: true };
    throw err;
  }
  return settleOutcome(services, event, outcome);
}

async function settleOutcome(
  services: EngineServices,
  event: Stripe.Event,
  outcome: SubscriptionEventOutcome,
): Promise<StripeEventReceipt> {
  if (outcome.kind === "ignored") {
    if (outcome.reason === "unknown_tenant") {
      log.warn({ eventId: event.id, type: event.type }, "stripe event for no known tenant");
    }
    return { received: true, ignored: outcome.reason };
  }
  log.info(
    { eventId: event.id, type: event.type, tenantId: outcome.tenantId },
    "subscription event applied",
  );
  await refreshTenant(services, outcome.tenantId);
  return { received: true };
}

async function receivePaymentEvent(
  services: EngineServices,
  event: Stripe.Event,
): Promise<StripeEventReceipt> {
  const handled = await handleBookingPaymentEvent(services, event);
  if (!handled) return { received: true, ignored: "not_handled" };
  try {
    await services.db.fork().insert(StripeEvent, {
      id: event.id,
      type: event.type,
      receivedAt: new Date(),
      tenantId: null,
    });
  } catch (err) {
    // The payment handler may record the event itself, in its own transaction.
    if (!(err instanceof UniqueConstraintViolationException)) throw err;
  }
  return { received: true };
}

function isSubscriptionEvent(event: Stripe.Event): boolean {
  if (!subscriptionEventTypes.has(event.type)) return false;
  return event.type !== "checkout.session.completed" || event.data.object.mode === "subscription";
}
