import type { EntityManager } from "@mikro-orm/core";
import type Stripe from "stripe";
import { errors } from "../domain/app-error.js";
import type { BillingInterval } from "../domain/billing.js";
import type { PlanSlug } from "../domain/tenancy.js";
import { Tenant, User, type SaasPlan } from "../store/entities/index.js";
import { findPlan } from "../tenants/platform-admin.js";

/** Add-ons a tenant can buy with its plan, per month in the plan's currency (a year: ten). */
export const addOnMonthlyCents = { extraUser: 500, sms: 1000 } as const;

/** What a tenant asks to subscribe to. */
export interface CheckoutRequest {
  planSlug: PlanSlug;
  interval: BillingInterval;
  extraUsers: number;
  sms: boolean;
}

/** A Stripe Checkout page the tenant's owner is sent to. */
export interface CheckoutLink {
  url: string;
  sessionId: string;
}

/**
 * Starts a subscription checkout: the tenant's Stripe customer (made once, tagged with the
 * tenant id), then a Checkout Session whose subscription carries the tenant and plan in its
 * metadata, so its webhooks find the tenant. `requestKey` keys the session's creation.
 */
export async function startCheckout(
  stripe: Stripe,
  em: EntityManager,
  tenantId: string,
  request: CheckoutRequest,
  returnBase: string,
  requestKey: string,
): Promise<CheckoutLink> {
  const tenant = await em.findOneOrFail(Tenant, { id: tenantId }, { populate: ["plan"] });
  const plan = await findPlan(em, request.planSlug);
  const customerId = await ensureCustomer(stripe, em, tenant);

  const metadata = {
    tenant_id: tenant.id,
    plan_slug: plan.slug,
    extra_users: String(request.extraUsers),
    sms: String(request.sms),
  };
  const session = await stripe.checkout.sessions.create(
    {
      mode: "subscription",
      customer: customerId,
      client_reference_id: tenant.id,
      line_items: lineItemsFor(plan, request),
      subscription_data: { metadata },
      metadata,
      success_url: `${returnBase}/dashboard/?billing=success&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${returnBase}/dashboard/?billing=cancelled`,
    },
    { idempotencyKey: `vbwd-checkout-${tenant.id}-${requestKey}` },
  );
  if (!session.url) throw errors.unavailable("Stripe answered a checkout session without a URL");
  return { url: session.url, sessionId: session.id };
}

/** A billing portal session where the owner manages payment methods, plan and invoices. */
export async function openBillingPortal(
  stripe: Stripe,
  em: EntityManager,
  tenantId: string,
  returnBase: string,
): Promise<{ url: string }> {
  const tenant = await em.findOneOrFail(Tenant, { id: tenantId });
  if (!tenant.stripeCustomerId) {
    throw errors.conflict(
      "this tenant has no Stripe customer yet; start a subscription with POST /api/v1/billing/checkout first",
    );
  }
  const session = await stripe.billingPortal.sessions.create({
    customer: tenant.stripeCustomerId,
    return_url: `${returnBase}/dashboard/`,
  });
  return { url: session.url };
}

/** The tenant's subscription as its owner sees it. */
export function viewBilling(tenant: Tenant) {
  return {
    plan: tenant.plan.slug,
    status: tenant.subscriptionStatus,
    interval: tenant.billingInterval,
    currentPeriodEnd: tenant.currentPeriodEnd?.toISOString() ?? null,
    trialEndsAt: tenant.trialEndsAt?.toISOString() ?? null,
    addOns: { extraUsers: tenant.extraUsers, sms: tenant.smsAddon },
    subscribed: tenant.stripeSubscriptionId !== null,
  };
}

/** The tenant's Stripe customer, made on first use; a concurrent first use finds the same. */
async function ensureCustomer(stripe: Stripe, em: EntityManager, tenant: Tenant): Promise<string> {
  if (tenant.stripeCustomerId) return tenant.stripeCustomerId;
  const customer = await stripe.customers.create(
    {
      name: tenant.name,
      email: tenant.billingEmail ?? (await ownerEmailOf(em, tenant.id)),
      metadata: { tenant_id: tenant.id, tenant_code: tenant.tenantCode },
    },
    // One key per tenant: a retry or a second checkout at the same moment gets the same one.
    { idempotencyKey: `vbwd-customer-${tenant.id}` },
  );
  await em.nativeUpdate(
    Tenant,
    { id: tenant.id, stripeCustomerId: null },
    { stripeCustomerId: customer.id },
  );
  const stored = await em.findOneOrFail(Tenant, { id: tenant.id }, { refresh: true });
  return stored.stripeCustomerId ?? customer.id;
}

async function ownerEmailOf(em: EntityManager, tenantId: string): Promise<string | undefined> {
  const owner = await em.findOne(
    User,
    { tenant: tenantId, role: "owner" },
    { orderBy: { createdAt: "asc" } },
  );
  return owner?.email;
}

function lineItemsFor(
  plan: SaasPlan,
  request: CheckoutRequest,
): Stripe.Checkout.SessionCreateParams.LineItem[] {
  const yearly = request.interval === "year";
  const planCents = yearly ? plan.yearlyPriceCents : plan.monthlyPriceCents;
  if (planCents === null) {
    throw errors.invalidInput([
      { path: "interval", message: `the ${plan.slug} plan is not sold by the year; use month` },
    ]);
  }
  const item = (name: string, cents: number, quantity: number) => ({
    quantity,
    price_data: {
      currency: plan.currency.toLowerCase(),
      unit_amount: cents,
      recurring: { interval: request.interval },
      product_data: { name },
    },
  });
  const perPeriod = (monthly: number) => (yearly ? monthly * 10 : monthly);
  const items = [item(`VBWD ${plan.name}`, planCents, 1)];
  if (request.extraUsers > 0) {
    items.push(
      item("VBWD extra users", perPeriod(addOnMonthlyCents.extraUser), request.extraUsers),
    );
  }
  if (request.sms) items.push(item("VBWD SMS reminders", perPeriod(addOnMonthlyCents.sms), 1));
  return items;
}
