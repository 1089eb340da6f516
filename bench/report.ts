import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import type { BenchResult } from "./measure.js";

const folder = join("bench", "results");
const readmeStart = "<!-- bench:results:start -->";
const readmeEnd = "<!-- bench:results:end -->";

/** The results as a Markdown table, one row each. */
export function resultsTable(results: readonly BenchResult[]): string {
  const number = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 3 });
  const rows = results.map((r) => {
    const baseline = r.baseline === null ? "—" : `${number(r.baseline)} ${r.unit}`;
    const ratio = r.ratio === null ? "—" : `${r.ratio}×`;
    const met = r.met === null ? "—" : r.met ? "yes" : "**no**";
    return `| ${r.name} | ${number(r.value)} ${r.unit} | ${baseline} | ${ratio} | ${r.target} | ${met} |`;
  });
  return [
    "| name | value | baseline (same run) | ratio | target | met |",
    "|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** Where and when the figures were measured, for the table's caption. */
function provenance(): string {
  const cpu = cpus();
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  return `Measured ${date} UTC on ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, Node.js ${process.version}.`;
}

/**
 * The ratios against their targets as a horizontal bar chart (SVG, log scale from 0.01× to
 * 1,000×): a bar per figure that has a baseline, green when met, red when missed, and a tick
 * where the target is.
 */
export function ratioChart(results: readonly BenchResult[]): string {
  const rows = results.filter((r) => r.ratio !== null);
  const [left, width, rowHeight, top] = [260, 420, 22, 30];
  const x = (ratio: number) => left + ((Math.log10(Math.max(ratio, 0.01)) + 2) / 5) * width;
  const bars = rows.map((r, i) => {
    const y = top + i * rowHeight;
    const colour = r.met === false ? "#b91c1c" : "#15803d";
    const target = /([\d.]+)×/.exec(r.target)?.[1];
    const tick = target
      ? `<line x1="${x(Number(target))}" x2="${x(Number(target))}" y1="${y - 2}" y2="${y + 16}" stroke="#111" stroke-width="2"/>`
      : "";
    return [
      `<text x="${left - 8}" y="${y + 12}" text-anchor="end">${escape(r.name)}</text>`,
      `<rect x="${left}" y="${y}" width="${x(r.ratio!) - left}" height="14" fill="${colour}"/>`,
      `<text x="${x(r.ratio!) + 4}" y="${y + 12}">${r.ratio}×</text>`,
      tick,
    ].join("");
  });
  const axis = [0.01, 0.1, 1, 10, 100, 1000].map(
    (v) =>
      `<line x1="${x(v)}" x2="${x(v)}" y1="${top - 6}" y2="${top + rows.length * rowHeight}" stroke="#ddd"/>` +
      `<text x="${x(v)}" y="${top - 10}" text-anchor="middle" fill="#555">${v}×</text>`,
  );
  const height = top + rows.length * rowHeight + 10;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${left + width + 60}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>VBWD benchmark ratios against their baselines (black tick: target)</title>`,
    ...axis,
    ...bars,
    "</svg>",
  ].join("\n");
}

function escape(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

/**
 * Saves a full run under bench/results (table, JSON, chart) and puts the table into the
 * README between its bench markers, so the figures shown are the ones measured.
 */
export async function saveResults(results: readonly BenchResult[]): Promise<void> {
  mkdirSync(folder, { recursive: true });
  const table = resultsTable(results);
  const caption = provenance();
  writeFileSync(join(folder, "latest.md"), `${table}\n\n${caption}\n`);
  writeFileSync(join(folder, "latest.json"), JSON.stringify({ results }, null, 2) + "\n");
  writeFileSync(join(folder, "ratios.svg"), ratioChart(results) + "\n");

  const readme = readFileSync("README.md", "utf8");
  const start = readme.indexOf(readmeStart);
  const end = readme.indexOf(readmeEnd);
  if (start < 0 || end < start) {
    process.stderr.write("bench: README has no bench markers; its table was left as it is\n");
    return;
  }
  const section = `${readmeStart}\n\n${table}\n\n${caption} Reproduce with \`npm run bench\`; the chart is \`bench/results/ratios.svg\`.\n\n`;
  const updated = readme.slice(0, start) + section + readme.slice(end);
  // Formatted as the repository's Prettier settings want, so `npm run lint` stays green.
  const options = (await resolveConfig("README.md")) ?? {};
  writeFileSync("README.md", await format(updated, { ...options, parser: "markdown" }));
}
