/**
 * `npm run bench`: runs every benchmark with its baseline in the same run and prints a table.
 * `--quick` shortens each load; `--json` makes the last line one JSON object of results.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { benchActors } from "./actors.js";
import type { BenchResult, LoadSettings } from "./measure.js";
import { benchBooking } from "./booking.js";
import { benchPush } from "./push.js";
import { measureTenantRequest } from "./tenant-request.js";
import { benchWidgetSize } from "./widget-size.js";

process.env.LOG_LEVEL ??= "silent";
const args = new Set(process.argv.slice(2));
const settings: LoadSettings = args.has("--quick")
  ? { durationSeconds: 3, connections: 10 }
  : { durationSeconds: 10, connections: 20 };

const quick = args.has("--quick");
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
// The actor figures come first, in a fresh process: engines started later leave work behind.
const actorResults = await benchActors(quick, redisUrl);
const tenantRequest = await measureTenantRequest(settings);
const results: BenchResult[] = [
  ...actorResults,
  ...tenantRequest.results,
  ...(await benchBooking(settings, tenantRequest.bareKoaRps)),
  // Live availability push: N = 1,000 and 5,000 (1,000 only with --quick).
  ...(await benchPush(quick, redisUrl)),
  // The widget's gzipped size: a build, no load, so --quick changes nothing.
  ...(await benchWidgetSize()),
];

const table = [
  "| name | value | baseline | ratio | target | met |",
  "|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.value} ${r.unit} | ${r.baseline === null ? "—" : `${r.baseline} ${r.unit}`} | ${r.ratio === null ? "—" : `${r.ratio}×`} | ${r.target} | ${r.met === null ? "—" : r.met ? "yes" : "no"} |`,
  ),
].join("\n");
process.stdout.write(`\n${table}\n`);

const folder = join("bench", "results");
mkdirSync(folder, { recursive: true });
writeFileSync(join(folder, "latest.md"), `${table}\n`);
writeFileSync(join(folder, "latest.json"), JSON.stringify({ results }, null, 2) + "\n");
if (args.has("--json")) process.stdout.write(JSON.stringify({ results }) + "\n");
