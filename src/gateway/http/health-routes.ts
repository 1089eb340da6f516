import type Router from "@koa/router";
import type { HttpState } from "./http-state.js";

/** One dependency readiness depends on. */
export interface ReadinessCheck {
  name: string;
  /** Resolves when the dependency can serve; rejects (or times out) when not. */
  check(): Promise<void>;
}

/** Tells whether this process should get traffic. */
export interface Readiness {
  /** False once shutdown has begun. */
  accepting(): boolean;
  checks: readonly ReadinessCheck[];
}

const checkTimeoutMs = 2000;

/** `GET /healthz` (the process is up) and `GET /readyz` (it can take traffic). */
export function mountHealthRoutes(router: Router<HttpState>, readiness: Readiness): void {
  router.get("/healthz", (ctx) => {
    ctx.body = { status: "ok" };
  });

  router.get("/readyz", async (ctx) => {
    if (!readiness.accepting()) {
      ctx.status = 503;
      ctx.body = { status: "shutting_down", checks: {} };
      return;
    }
    const results = await Promise.all(readiness.checks.map(runCheck));
    const checks = Object.fromEntries(results.map((r) => [r.name, r.status]));
    const ready = results.every((result) => result.status === "ok");
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? "ready" : "not_ready", checks };
  });
}

async function runCheck(probe: ReadinessCheck) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timed out")), checkTimeoutMs);
  });
  try {
    await Promise.race([probe.check(), timeout]);
    return { name: probe.name, status: "ok" };
  } catch (err) {
    return { name: probe.name, status: `failing: ${(err as Error).message}` };
  } finally {
    clearTimeout(timer);
  }
}
