/**
 * `npm run bench`: runs every benchmark with its baseline in the same run and prints a table.
 * `--quick` shortens each load (the whole run in under three minutes); `--json` makes the
 * last line one JSON object of results; `--only=booking,push` runs those groups and leaves
 * bench/results and the README as they are. A full run saves bench/results (table, JSON,
 * chart) and the README's benchmark table.
 */
import { benchActors } from "./actors.js";
import { benchBooking } from "./booking.js";
import { benchCluster } from "./cluster.js";
import type { BenchResult, LoadSettings } from "./measure.js";
import { progress } from "./progress.js";
import { benchPush } from "./push.js";
import { resultsTable, saveResults } from "./report.js";
import { measureTenantRequest } from "./tenant-request.js";
import { benchWidgetSize } from "./widget-size.js";

process.env.LOG_LEVEL ??= "silent";
const args = new Set(process.argv.slice(2));
const quick = args.has("--quick");
const settings: LoadSettings = quick
  ? { durationSeconds: 3, connections: 10 }
  : { durationSeconds: 10, connections: 20 };
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";

/** The groups in the order they run; the actor figures first, in a fresh process. */
const groups: { name: string; run: () => Promise<BenchResult[]> }[] = [
  { name: "actors", run: () => benchActors(quick, redisUrl) },
  {
    name: "booking",
    run: async () => {
      // The bare Koa rate is the booking figures' baseline too.
      const tenantRequest = await measureTenantRequest(settings);
      return [
        ...tenantRequest.results,
        ...(await benchBooking(settings, tenantRequest.bareKoaRps)),
      ];
    },
  },
  // Live availability push: N = 1,000 and 5,000 (1,000 only with --quick).
  { name: "push", run: () => benchPush(quick, redisUrl) },
  { name: "cluster", run: () => benchCluster(settings, redisUrl) },
  // The widget's gzipped size: a build, no load, so --quick changes nothing.
  { name: "widget", run: () => benchWidgetSize() },
];

const chosen = only ? groups.filter((group) => only.split(",").includes(group.name)) : groups;
const results: BenchResult[] = [];
progress.plan(chosen.length);
for (const group of chosen) {
  progress.step(group.name);
  results.push(...(await group.run()));
}
progress.finish();

process.stdout.write(`\n${resultsTable(results)}\n`);
if (!only) await saveResults(results);
if (args.has("--json")) process.stdout.write(JSON.stringify({ results }) + "\n");
