// `npm run build:widget`: bundles the embeddable booking widget (widget/src) with its Socket.IO
// client into dist/widget/v1: `vbwd-widget.js` (a classic script defining window.VBWDWidget)
// and `vbwd-widget.esm.js` (a module exporting `init`), minified, with source maps.
import { build } from "esbuild";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Where the built files go, and what the engine serves at `/widget/v1/`. */
export const widgetOutput = join(root, "dist", "widget", "v1");
/** Touched after every build, so `npm start` can tell a stale build. */
export const widgetStamp = join(root, "dist", "widget", ".build-stamp");

const shared = {
  bundle: true,
  minify: true,
  sourcemap: true,
  target: ["es2020"],
  platform: "browser",
  legalComments: "none",
  logLevel: "warning",
  absWorkingDir: root,
};

/** Builds both bundles; answers their paths. */
export async function buildWidget() {
  const classic = join(widgetOutput, "vbwd-widget.js");
  const module = join(widgetOutput, "vbwd-widget.esm.js");
  await Promise.all([
    build({ ...shared, entryPoints: ["widget/src/global.ts"], outfile: classic, format: "iife" }),
    build({ ...shared, entryPoints: ["widget/src/index.ts"], outfile: module, format: "esm" }),
  ]);
  writeFileSync(widgetStamp, new Date().toISOString() + "\n");
  return { classic, module };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { classic, module } = await buildWidget();
  process.stdout.write(`widget: built ${classic} and ${module}\n`);
}
