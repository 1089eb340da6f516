/**
 * The embeddable widget's transfer size: builds both bundles with scripts/build-widget.mjs and
 * gzips them in memory.
 * - widget-gzipped-size: the classic script (`vbwd-widget.js`, Socket.IO client included) at
 *   zlib's default level, what a typical server or CDN sends. Target ≤ 40 KB.
 * - widget-esm-gzipped-size: the ES module build at the same level, informational.
 * Level 9 is shown next to each target for comparison; it rarely saves more than a few bytes.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { constants, gzipSync } from "node:zlib";
import type { BenchResult } from "./measure.js";

const targetKb = 40;
const builder = new URL("../scripts/build-widget.mjs", import.meta.url);

/** Gzipped sizes of one bundle in bytes. */
interface BundleSize {
  defaultLevel: number;
  bestLevel: number;
}

/** Builds the widget and reports its gzipped sizes; needs no database or network. */
export async function benchWidgetSize(): Promise<BenchResult[]> {
  const { classic, module } = await buildWidget();
  const script = gzippedSize(classic);
  const esm = gzippedSize(module);
  const scriptKb = kilobytes(script.defaultLevel);

  return [
    {
      name: "widget-size",
      value: scriptKb,
      unit: "KB",
      baseline: null,
      ratio: null,
      target: `≤ ${targetKb} KB (gzip default level; ${kilobytes(script.bestLevel)} KB at level 9)`,
      met: script.defaultLevel <= targetKb * 1024,
    },
    {
      name: "widget-esm-gzipped-size",
      value: kilobytes(esm.defaultLevel),
      unit: "KB",
      baseline: null,
      ratio: null,
      target: `informational (ES module build; ${kilobytes(esm.bestLevel)} KB at level 9)`,
      met: null,
    },
  ];
}

/** Runs the project's widget build; answers the paths of the classic and module bundles. */
async function buildWidget(): Promise<{ classic: string; module: string }> {
  const script = (await import(builder.href)) as {
    buildWidget(): Promise<{ classic: string; module: string }>;
  };
  return script.buildWidget();
}

function gzippedSize(path: string): BundleSize {
  const bundle = readFileSync(path);
  return {
    defaultLevel: gzipSync(bundle, { level: constants.Z_DEFAULT_COMPRESSION }).length,
    bestLevel: gzipSync(bundle, { level: constants.Z_BEST_COMPRESSION }).length,
  };
}

/** Bytes as KB (1,024 bytes) with one decimal. */
function kilobytes(bytes: number): number {
  return Math.round((bytes / 1024) * 10) / 10;
}

// `npx tsx bench/widget-size.ts` prints the rows alone.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const row of await benchWidgetSize()) {
    process.stdout.write(`${row.name}: ${row.value} ${row.unit} (${row.target})\n`);
  }
}
