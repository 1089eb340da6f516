import type { Database } from "../store/database.js";
import { isTrialOver } from "../domain/plan-limits.js";
import { Tenant } from "../store/entities/index.js";
import { moduleLogger } from "../logger.js";
import { recordAudit } from "./audit.js";

const log = moduleLogger("tenants:trial-expiry");

/** What ending trials needs: the database, and a way to forget a tenant on every node. */
export interface TrialExpiryDeps {
  db: Database;
  forgetTenant(tenantId: string): void;
}

/** How many expired trials one sweep suspends at most; the next sweep takes the rest. */
const sweepBatch = 500;

/**
 * Suspends `tenant` when its trial has run out without a subscription, and marks it so on the
 * object given (a cached tenant included). Answers whether the tenant is now suspended by it.
 */
export async function suspendIfTrialOver(
  deps: TrialExpiryDeps,
  tenant: Tenant,
  now = new Date(),
): Promise<boolean> {
  if (!isTrialOver(tenant, now)) return false;
  await suspendExpiredTrial(deps, tenant.id, now);
  tenant.subscriptionStatus = "suspended";
  return true;
}

/**
 * Suspends every tenant whose trial ran out by `now`; answers their ids. The update is
 * conditional and idempotent, so nodes sweeping at the same time do no harm.
 */
export async function sweepExpiredTrials(deps: TrialExpiryDeps, now = new Date()) {
  // Indexed on subscription_status; trial tenants are a small part of all tenants.
  const expired = await deps.db
    .fork()
    .find(
      Tenant,
      { subscriptionStatus: "trial", trialEndsAt: { $lte: now } },
      { fields: ["id"], limit: sweepBatch, orderBy: { id: "asc" } },
    );
  const suspended: string[] = [];
  for (const { id } of expired) {
    if (await suspendExpiredTrial(deps, id, now)) suspended.push(id);
  }
  return suspended;
}

/** Runs `sweepExpiredTrials` every `everyMs` (default a minute); answers how to stop it. */
export function startTrialSweeper(deps: TrialExpiryDeps, everyMs = 60_000): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweepExpiredTrials(deps)
      .catch((err: unknown) => log.warn({ err }, "could not sweep expired trials"))
      .finally(() => (running = false));
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** Moves one tenant from trial to suspended if its trial is still over; true when it did. */
async function suspendExpiredTrial(deps: TrialExpiryDeps, tenantId: string, now: Date) {
  const em = deps.db.fork();
  const changed = await em.nativeUpdate(
    Tenant,
    { id: tenantId, subscriptionStatus: "trial", trialEndsAt: { $lte: now } },
    { subscriptionStatus: "suspended", updatedAt: now },
  );
  deps.forgetTenant(tenantId);
  if (changed === 0) return false;

  recordAudit(
    em,
    { principal: { kind: "anonymous" }, protocol: "system" },
    {
      tenantId,
      action: "tenant.trial_ended",
      entityType: "tenant",
      entityId: tenantId,
      summary: { before: "trial", after: "suspended" },
    },
  );
  await em.flush();
  log.info({ tenantId }, "subscription trial -> suspended: the trial ended");
  return true;
}
