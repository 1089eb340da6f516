import type { Branding } from "../domain/branding.js";
import type { RefundPolicy } from "../domain/payments.js";
import type { Tenant } from "../store/entities/index.js";

/** The public form of a tenant, as the API returns it. */
export interface TenantView {
  id: string;
  code: string;
  name: string;
  businessType: string;
  subscriptionStatus: string;
  plan: string;
  trialEndsAt: string | null;
  timezone: string;
  currency: string;
  locale: string;
  limits: { users: number; bookingsPerMonth: number; events: number; storageMb: number };
  selfService: SelfServiceView;
  /** How much of a prepayment a cancelled booking gets back: full, none, or cutoff. */
  refundPolicy: RefundPolicy;
  /** For the cutoff policy: full refund only this many hours or more before the start. */
  refundCutoffHours: number;
  /** Reminders go out this many minutes before each booking; null: none. */
  reminderMinutesBefore: number | null;
  createdAt: string;
}

/** What customers may change themselves through a booking's manage link. */
export interface SelfServiceView {
  allowCancel: boolean;
  allowReschedule: boolean;
  /** Changes close this many hours before the booking's start (0: until the start). */
  cutoffHours: number;
}

/** The tenant's self-service rules for customers, as the API and the widget see them. */
export function viewSelfService(tenant: Tenant): SelfServiceView {
  return {
    allowCancel: tenant.selfServiceCancel,
    allowReschedule: tenant.selfServiceReschedule,
    cutoffHours: tenant.selfServiceCutoffHours,
  };
}

/** Maps a tenant (with its plan loaded) to its API form. */
export function viewTenant(tenant: Tenant): TenantView {
  return {
    id: tenant.id,
    code: tenant.tenantCode,
    name: tenant.name,
    businessType: tenant.businessType,
    subscriptionStatus: tenant.subscriptionStatus,
    plan: tenant.plan.slug,
    trialEndsAt: tenant.trialEndsAt?.toISOString() ?? null,
    timezone: tenant.timezone,
    currency: tenant.currency,
    locale: tenant.locale,
    limits: {
      users: tenant.maxUsers,
      bookingsPerMonth: tenant.maxBookingsPerMonth,
      events: tenant.maxEvents,
      storageMb: tenant.storageLimitMb,
    },
    selfService: viewSelfService(tenant),
    refundPolicy: tenant.refundPolicy,
    refundCutoffHours: tenant.refundCutoffHours,
    reminderMinutesBefore: tenant.reminderMinutesBefore,
    createdAt: tenant.createdAt.toISOString(),
  };
}

/** The tenant's branding, as the API, the widget's config and messages see it. */
export function viewBranding(tenant: Tenant): Branding {
  return {
    primaryColor: tenant.primaryColor,
    secondaryColor: tenant.secondaryColor,
    logoUrl: tenant.logoUrl,
    fontFamily: tenant.fontFamily,
    cornerRadius: tenant.cornerRadiusPx,
    locale: tenant.locale,
  };
}
