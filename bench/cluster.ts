/**
 * cluster-overhead: REST bookings/s through three engine processes against one, on the same
 * MySQL and Redis in the same run. The one-node run is a cluster member too (it has Redis),
 * so both run the same code; with three, two of every three bookings land on a node that does
 * not own the calendar and are forwarded to its owner. Load: twelve calendars, distinct
 * 5-minute slots, spread evenly over the nodes' public ports. Target ≥ 0.8×.
 */
import autocannon from "autocannon";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseTarget } from "../src/config.js";
import {
  startCluster,
  stopCluster,
  waitForStableCluster,
  type ClusterNode,
} from "../test/support/cluster.js";
import { dialectsUnderTest } from "../test/support/databases.js";
import { callApi, signUpTenant, testAdminToken, type TestEngine } from "../test/support/engine.js";
import { pingRedis } from "../test/support/services.js";
import type { BenchResult, LoadSettings } from "./measure.js";

const day = 86_400_000;
const calendars = 12;
/** Clients in all, split evenly over the nodes. */
const connections = 48;

interface Offer {
  calendarId: string;
  serviceId: string;
}

/** Runs the cluster-overhead benchmark; it needs MySQL and Redis. */
export async function benchCluster(settings: LoadSettings, redisUrl: string) {
  const mysql = dialectsUnderTest().find((d) => d.name === "mysql");
  const redisProblem = await pingRedis(redisUrl).then(
    () => undefined,
    (error: Error) => error.message,
  );
  if (!mysql || redisProblem) {
    const why = mysql ? `Redis does not answer (${redisProblem})` : "DATABASE_URL is not MySQL";
    process.stderr.write(`bench/cluster: skipped, ${why}\n`);
    return [];
  }
  const one = await bookingsPerSecond(1, settings, redisUrl, mysql);
  const three = await bookingsPerSecond(3, settings, redisUrl, mysql);
  const ratio = three / one;
  const result: BenchResult = {
    name: "cluster-overhead",
    value: Math.round(three),
    unit: "bookings/s",
    baseline: Math.round(one),
    ratio: Math.round(ratio * 100) / 100,
    target: "≥ 0.8× one node (3 processes on this machine, MySQL, Redis)",
    met: ratio >= 0.8,
  };
  return [result];
}

/** Starts `count` engine processes on a fresh database and measures their booking rate. */
async function bookingsPerSecond(
  count: number,
  settings: LoadSettings,
  redisUrl: string,
  mysql: NonNullable<ReturnType<typeof dialectsUnderTest>[number]>,
): Promise<number> {
  const scratch = await mysql.create(`bench_cluster_${count}`);
  const folder = mkdtempSync(join(tmpdir(), "vbwd-bench-cluster-"));
  let nodes: ClusterNode[] = [];
  try {
    const databaseUrl = (scratch.target as Extract<DatabaseTarget, { dialect: "mysql" }>).url;
    // The plans' request limits would refuse a benchmark's load; scale them out of the way.
    const env = { RATE_LIMIT_SCALE: "1000" };
    nodes = await startCluster(count, { databaseUrl, redisUrl, env });
    await waitForStableCluster(nodes, 30_000);
    const { key, offers } = await prepareOffers(nodes[0]!.url);
    const firstSlotMs = Math.ceil((Date.now() + day) / day) * day;
    const runs = nodes.map((node, lane) => {
      const file = join(folder, `lane-${lane}.cjs`);
      writeFileSync(file, laneScript({ offers, firstSlotMs, lane, lanes: nodes.length }));
      return autocannon({
        url: `${node.url}/api/v1/bookings`,
        connections: connections / nodes.length,
        workers: 1,
        duration: settings.durationSeconds,
        requests: [
          {
            method: "POST",
            headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
            setupRequest: file as unknown as autocannon.Request["setupRequest"],
          },
        ],
      });
    });
    const results = await Promise.all(runs);
    const refused = results.reduce((sum, run) => sum + run.non2xx + run.errors, 0);
    if (refused > 0) throw new Error(`${count} node(s): ${refused} bookings refused or failed`);
    const booked = results.reduce((sum, run) => sum + run["2xx"], 0);
    return booked / settings.durationSeconds;
  } finally {
    await stopCluster(nodes);
    await scratch.drop();
    rmSync(folder, { recursive: true, force: true });
  }
}

/** An enterprise tenant with twelve calendars open all day in 5-minute steps. */
async function prepareOffers(url: string): Promise<{ key: string; offers: Offer[] }> {
  const api = (method: string, path: string, request?: object) =>
    callApi(url, method, path, request);
  const tenant = await signUpTenant({ api } as TestEngine, `bench-cluster-${Date.now()}`);
  await api("PATCH", `/api/v1/admin/tenants/${tenant.code}`, {
    token: testAdminToken,
    body: { planSlug: "enterprise" },
  });
  const allDay = Object.fromEntries(
    ["mon", "tue", "wed", "thu", "fri", "sat", "sun"].map((d) => [d, [["00:00", "24:00"]]]),
  );
  const offers: Offer[] = [];
  for (let i = 0; i < calendars; i++) {
    const calendar = await api("POST", "/api/v1/calendars", {
      token: tenant.secretKey,
      body: {
        name: `Desk ${i}`,
        timezone: "UTC",
        weeklyHours: allDay,
        slotIntervalMinutes: 5,
        horizonDays: 730,
      },
    });
    const service = await api("POST", "/api/v1/services", {
      token: tenant.secretKey,
      body: { calendarIds: [calendar.body.id], name: "Quick", durationMinutes: 5 },
    });
    if (service.status !== 201) throw new Error(`service: ${JSON.stringify(service.body)}`);
    offers.push({ calendarId: calendar.body.id, serviceId: service.body.id });
  }
  return { key: tenant.secretKey, offers };
}

/**
 * The request maker one load generator loads in its worker thread: lane k of n books every
 * n-th slot, cycling over the calendars, so parallel generators never ask for the same one.
 */
function laneScript(spread: { offers: Offer[]; firstSlotMs: number; lane: number; lanes: number }) {
  return `const spread = ${JSON.stringify(spread)};
let next = 0;
module.exports = function nextBooking(request) {
  const step = next++;
  const offer = spread.offers[step % spread.offers.length];
  const slot = Math.floor(step / spread.offers.length) * spread.lanes + spread.lane;
  const start = new Date(spread.firstSlotMs + slot * 300000).toISOString();
  const customer = { name: "Bench", email: "bench@example.org" };
  const body = { calendarId: offer.calendarId, serviceId: offer.serviceId, start, customer };
  return { ...request, body: JSON.stringify(body) };
};
`;
}
