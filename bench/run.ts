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
// `--only=booking,push` runs those groups and leaves bench/results as it is.
const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length);
const groups = new Set(only ? only.split(",") : ["actors", "booking", "push", "widget"]);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const results: BenchResult[] = [];
// The actor figures come first, in a fresh process: engines started later leave work behind.
if (groups.has("actors")) results.push(...(await benchActors(quick, redisUrl)));
if (groups.has("booking")) {
  // The bare Koa rate is the booking figures' baseline too.
  const tenantRequest = await measureTenantRequest(settings);
  results.push(...tenantRequest.results);
  results.push(...(await benchBooking(settings, tenantRequest.bareKoaRps)));
}
// Live availability push: N = 1,000 and 5,000 (1,000 only with --quick).
if (groups.has("push")) results.push(...(await benchPush(quick, redisUrl)));
// The widget's gzipped size: a build, no load, so --quick changes nothing.
if (groups.has("widget")) results.push(...(await benchWidgetSize()));

const table = [
  "| name | value | baseline | ratio | target | met |",
  "|---|---|---|---|---|---|",
  ...results.map(
    (r) =>
      `| ${r.name} | ${r.value} ${r.unit} | ${r.baseline === null ? "—" : `${r.baseline} ${r.unit}`} | ${r.ratio === null ? "—" : `${r.ratio}×`} | ${r.target} | ${r.met === null ? "—" : r.met ? "yes" : "no"} |`,
  ),
].join("\n");
process.stdout.write(`\n${table}\n`);

if (!only) {
  const folder = join("bench", "results");
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, "latest.md"), `${table}\n`);
  writeFileSync(join(folder, "latest.json"), JSON.stringify({ results }, null, 2) + "\n");
}
if (args.has("--json")) process.stdout.write(JSON.stringify({ results }) + "\n");
