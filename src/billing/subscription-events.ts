import type { EntityManager, LockMode } from "@mikro-orm/core";
import type Stripe from "stripe";
import { billingIntervals, type BillingInterval } from "../domain/billing.js";
import { planSlugs, type PlanSlug, type SubscriptionStatus } from "../domain/tenancy.js";
import { Tenant } from "../store/entities/index.js";
import { recordAudit, type AuditOrigin } from "../tenants/audit.js";
import { applyPlan, findPlan } from "../tenants/platform-admin.js";

/** The Stripe event types that change a tenant's subscription. */
export const subscriptionEventTypes: ReadonlySet<string> = new Set([
  "customer.subscription.created",
  "customer.subscription.updated",
  "customer.subscription.deleted",
  "invoice.paid",
  "invoice.payment_failed",
  "checkout.session.completed",
]);

/** What applying one event did. */
export type SubscriptionEventOutcome =
  /** The tenant changed; `limitsChanged` says whether its plan or limits did. */
  | { kind: "applied"; tenantId: string; limitsChanged: boolean }
  /** Nothing changed: an event older than the tenant's last status, or nothing to apply. */
  | { kind: "ignored"; tenantId: string | null; reason: IgnoredReason };

/** Why an event changed nothing. */
export type IgnoredReason = "stale" | "unknown_tenant" | "nothing_to_apply";

/** Who a subscription event is about, as the event names it. */
interface EventSubject {
  tenantId: string | undefined;
  customerId: string | undefined;
}

/** The change an event asks for; fields left out stay as they are. */
interface TenantChange {
  status?: SubscriptionStatus | undefined;
  subscriptionId?: string | undefined;
  customerId?: string | undefined;
  planSlug?: PlanSlug | undefined;
  interval?: BillingInterval | undefined;
  currentPeriodEnd?: Date | undefined;
  extraUsers?: number | undefined;
  smsAddon?: boolean | undefined;
}

/**
 * Applies a subscription event (one of `subscriptionEventTypes`) to its tenant within the
 * caller's transaction. Events older than the one that last set the tenant's status are
 * ignored, so out-of-order deliveries cannot undo a newer state. `lockMode` locks the
 * tenant's row where the database can (MySQL), so concurrent events apply one after another.
 */
export async function applySubscriptionEvent(
  em: EntityManager,
  event: Stripe.Event,
  origin: AuditOrigin,
  lockMode?: LockMode,
): Promise<SubscriptionEventOutcome> {
  const read = readEvent(event);
  if (!read) return { kind: "ignored", tenantId: null, reason: "nothing_to_apply" };

  const tenant = await findSubject(em, read.subject, lockMode);
  if (!tenant) return { kind: "ignored", tenantId: null, reason: "unknown_tenant" };
  const happenedAt = new Date(event.created * 1000);
  if (tenant.subscriptionStatusAt && happenedAt < tenant.subscriptionStatusAt) {
    return { kind: "ignored", tenantId: tenant.id, reason: "stale" };
  }

  const before = billingStateOf(tenant);
  const limitsChanged = await assignChange(em, tenant, read.change);
  tenant.subscriptionStatusAt = happenedAt;
  recordAudit(em, origin, {
    tenantId: tenant.id,
    action: "tenant.subscription.changed",
    entityType: "tenant",
    entityId: tenant.id,
    summary: { event: event.id, type: event.type, before, after: billingStateOf(tenant) },
  });
  return { kind: "applied", tenantId: tenant.id, limitsChanged };
}

/** The subject and change of an event, or undefined when it asks for none. */
function readEvent(
  event: Stripe.Event,
): { subject: EventSubject; change: TenantChange } | undefined {
  switch (event.type) {
    case "customer.subscription.created":
    case "customer.subscription.updated":
      return readSubscription(event.data.object, statusOfSubscription(event.data.object.status));
    case "customer.subscription.deleted":
      return readSubscription(event.data.object, "cancelled");
    case "invoice.paid":
      // A paid invoice of nothing (a trial's first one) says nothing about the status.
      if (event.data.object.amount_paid <= 0) return undefined;
      return readInvoice(event.data.object, "active");
    case "invoice.payment_failed":
      return readInvoice(event.data.object, "suspended");
    case "checkout.session.completed":
      return readCheckout(event.data.object);
    default:
      return undefined;
  }
}

/** Stripe's subscription status as a tenant status; undefined leaves the tenant's as is. */
function statusOfSubscription(status: Stripe.Subscription.Status): SubscriptionStatus | undefined {
  switch (status) {
    case "active":
      return "active";
    case "trialing":
      return "trial";
    case "past_due":
    case "unpaid":
    case "paused":
      return "suspended";
    case "canceled":
    case "incomplete_expired":
      return "cancelled";
    default:
      // `incomplete`: the first payment is still being made; nothing is decided yet.
      return undefined;
  }
}

function readSubscription(
  subscription: Stripe.Subscription,
  status: SubscriptionStatus | undefined,
) {
  const metadata = subscription.metadata ?? {};
  const item = subscription.items?.data?.[0];
  const interval = item?.price?.recurring?.interval;
  return {
    subject: { tenantId: metadata["tenant_id"], customerId: idOf(subscription.customer) },
    change: {
      status,
      subscriptionId: subscription.id,
      customerId: idOf(subscription.customer),
      planSlug: planSlugOf(metadata["plan_slug"] ?? item?.price?.metadata?.["plan_slug"]),
      interval: billingIntervals.find((known) => known === interval),
      currentPeriodEnd: item?.current_period_end
        ? new Date(item.current_period_end * 1000)
        : undefined,
      extraUsers: countOf(metadata["extra_users"]),
      smsAddon: metadata["sms"] === undefined ? undefined : metadata["sms"] === "true",
    },
  };
}

function readInvoice(invoice: Stripe.Invoice, status: SubscriptionStatus) {
  const details = invoice.parent?.subscription_details;
  return {
    subject: { tenantId: details?.metadata?.["tenant_id"], customerId: idOf(invoice.customer) },
    change: { status },
  };
}

function readCheckout(session: Stripe.Checkout.Session) {
  if (session.mode !== "subscription") return undefined;
  const customerId = idOf(session.customer);
  return {
    subject: {
      tenantId: session.metadata?.["tenant_id"] ?? session.client_reference_id ?? undefined,
      customerId,
    },
    change: { customerId, subscriptionId: idOf(session.subscription) },
  };
}

/**
 * The tenant an event is about: the one holding its Stripe customer, else the one its
 * metadata names. When both are known they must agree, and a named tenant that has another
 * customer is not it: one tenant's events never change another.
 */
async function findSubject(
  em: EntityManager,
  subject: EventSubject,
  lockMode: LockMode | undefined,
): Promise<Tenant | null> {
  const options = { populate: ["plan"] as const, ...(lockMode ? { lockMode } : {}) };
  const { tenantId, customerId } = subject;
  const holder = customerId
    ? await em.findOne(Tenant, { stripeCustomerId: customerId }, options)
    : null;
  if (holder) return tenantId === undefined || holder.id === tenantId ? holder : null;
  if (tenantId === undefined) return null;

  const named = await em.findOne(Tenant, { id: tenantId }, options);
  if (named?.stripeCustomerId && customerId && named.stripeCustomerId !== customerId) return null;
  return named;
}

/** Writes the change onto the tenant; answers whether its plan or limits changed. */
async function assignChange(em: EntityManager, tenant: Tenant, change: TenantChange) {
  if (change.status) tenant.subscriptionStatus = change.status;
  if (change.customerId) tenant.stripeCustomerId = change.customerId;
  if (change.subscriptionId) tenant.stripeSubscriptionId = change.subscriptionId;
  if (change.interval) tenant.billingInterval = change.interval;
  if (change.currentPeriodEnd) tenant.currentPeriodEnd = change.currentPeriodEnd;
  if (change.smsAddon !== undefined) tenant.smsAddon = change.smsAddon;

  const extraUsers = change.extraUsers ?? tenant.extraUsers;
  const planSlug = change.planSlug ?? tenant.plan.slug;
  if (planSlug === tenant.plan.slug && extraUsers === tenant.extraUsers) return false;
  tenant.extraUsers = extraUsers;
  applyPlan(tenant, await findPlan(em, planSlug));
  return true;
}

function billingStateOf(tenant: Tenant) {
  return {
    status: tenant.subscriptionStatus,
    plan: tenant.plan.slug,
    extraUsers: tenant.extraUsers,
    smsAddon: tenant.smsAddon,
  };
}

function idOf(value: string | { id: string } | null | undefined): string | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === "string" ? value : value.id;
}

function planSlugOf(value: string | undefined): PlanSlug | undefined {
  return planSlugs.find((slug) => slug === value);
}

function countOf(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  return Number(value);
}
