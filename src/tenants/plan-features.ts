import { errors } from "../domain/app-error.js";
import type { Tenant } from "../store/entities/index.js";

/** Features a plan switches on or off (seed §2.3 and §9). */
export const planFeatures = {
  customDomain: "custom domains",
  whiteLabel: "white label",
  apiAccess: "API access",
  analyticsDashboard: "analytics",
  prioritySupport: "priority support",
  customIntegrations: "custom integrations",
} as const;

/** A feature a plan may include. */
export type PlanFeature = keyof typeof planFeatures;

/** Whether the tenant's plan includes the feature (the plan must be loaded). */
export function planIncludes(tenant: Tenant, feature: PlanFeature): boolean {
  return tenant.plan[feature] === true;
}

/** Refuses with 403 `feature_not_in_plan` unless the tenant's plan includes the feature. */
export function requireFeature(tenant: Tenant, feature: PlanFeature): void {
  if (!planIncludes(tenant, feature)) {
    throw errors.featureNotInPlan(planFeatures[feature], tenant.plan.slug);
  }
}

/** Whether the tenant may use the feature: its plan includes it, or it is on trial. */
export function featureAvailable(tenant: Tenant, feature: PlanFeature): boolean {
  // A trial evaluates the whole product, whatever plan it was started on.
  return tenant.subscriptionStatus === "trial" || planIncludes(tenant, feature);
}

/** As `requireFeature`, except that a tenant on trial may use every feature. */
export function requireFeatureOrTrial(tenant: Tenant, feature: PlanFeature): void {
  if (!featureAvailable(tenant, feature)) {
    throw errors.featureNotInPlan(planFeatures[feature], tenant.plan.slug);
  }
}
