/**
 * An authenticated, tenant-scoped REST call (`GET /api/v1/tenant` with a secret key: key
 * lookup, tenant resolution, status check, command) against a bare Koa JSON route on the same
 * machine in the same run. It bounds what every tenant call pays before any booking logic.
 */
import Koa from "koa";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { signUpTenant, startTestEngine } from "../test/support/engine.js";
import { requestsPerSecond, type BenchResult, type LoadSettings } from "./measure.js";

export async function benchTenantRequest(settings: LoadSettings): Promise<BenchResult[]> {
  return (await measureTenantRequest(settings)).results;
}

/** The tenant-call figure and the bare Koa rate it was compared with. */
export async function measureTenantRequest(settings: LoadSettings) {
  const bare = await startBareKoa();
  const folder = mkdtempSync(join(tmpdir(), "vbwd-bench-"));
  const engine = await startTestEngine({ dialect: "sqlite", path: join(folder, "bench.sqlite") });
  try {
    const tenant = await signUpTenant(engine, "bench-co");
    const baseline = await requestsPerSecond(bare.url, settings);
    const measured = await requestsPerSecond(`${engine.url}/api/v1/tenant`, settings, {
      authorization: `Bearer ${tenant.secretKey}`,
    });
    if (measured.errors > 0) throw new Error(`${measured.errors} tenant requests failed`);
    const ratio = measured.rps / baseline.rps;
    const results: BenchResult[] = [
      {
        name: "tenant-request-vs-bare-koa",
        value: Math.round(measured.rps),
        unit: "req/s",
        baseline: Math.round(baseline.rps),
        ratio: Math.round(ratio * 100) / 100,
        target: "≥ 0.3× (informational)",
        met: ratio >= 0.3,
      },
    ];
    return { results, bareKoaRps: baseline.rps };
  } finally {
    await engine.stop();
    await bare.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

async function startBareKoa() {
  const app = new Koa();
  app.use((ctx) => {
    ctx.body = { id: "ten_bench", code: "bench-co", subscriptionStatus: "active" };
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
