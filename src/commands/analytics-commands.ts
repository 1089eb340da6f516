import { z } from "zod";
import { analyticsWindow, tenantAnalytics } from "../tenants/analytics.js";
import { requireFeatureOrTrial } from "../tenants/plan-features.js";
import { platformMetrics } from "../tenants/platform-metrics.js";
import { defineCommand, tenantOf } from "./command.js";
import { analyticsOutput, platformMetricsOutput } from "./output-schemas.js";

const localDate = z.iso.date({ message: "expected a date as YYYY-MM-DD" });

/** The tenant's bookings, cancellations, no-shows, revenue and protocol use per local day. */
export const getAnalytics = defineCommand({
  name: "analytics.get",
  summary:
    "Per day in the tenant's time zone: bookings, cancellations, no-shows, revenue and use of each protocol (default the last 30 days, at most 366).",
  access: { kind: "tenant", credentials: ["staff", "secret"] },
  output: analyticsOutput,
  input: z.object({ from: localDate.optional(), to: localDate.optional() }),
  async run(context, input) {
    const tenant = tenantOf(context);
    requireFeatureOrTrial(tenant, "analyticsDashboard");
    const window = analyticsWindow(tenant.timezone, input);
    // This node's latest counts first, so the answer includes the calls just made here.
    await context.services.protocolUsage?.flush();
    const dialect = context.services.db.target.dialect;
    return tenantAnalytics(context.em, dialect, tenant, window);
  },
});

/** The platform operator's figures: MRR, tenants by status and plan, bookings this month. */
export const adminMetrics = defineCommand({
  name: "admin.metrics",
  summary:
    "Monthly recurring revenue, tenants by status and by plan, and this month's bookings (platform operator).",
  access: { kind: "platform" },
  output: platformMetricsOutput,
  input: z.object({}),
  async run({ em }) {
    return platformMetrics(em);
  },
});
