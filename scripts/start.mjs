// `npm start`: compiles the TypeScript when the build is missing or older than the sources,
// then runs the engine (passing on arguments such as --migrate-only; --build-only stops there).
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const stamp = join(root, "dist", ".build-stamp");
const sources = ["src", "actors", "tsconfig.json", "tsconfig.build.json", "package.json"];

function newestChange(path) {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

function buildIsStale() {
  if (!existsSync(stamp)) return true;
  const built = statSync(stamp).mtimeMs;
  return sources.some((source) => {
    const path = join(root, source);
    return existsSync(path) && newestChange(path) > built;
  });
}

if (buildIsStale()) {
  process.stdout.write("vbwd: building…\n");
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  const { writeFileSync } = await import("node:fs");
  writeFileSync(stamp, new Date().toISOString() + "\n");
}

// The embeddable widget has its own bundle (esbuild), rebuilt when its sources changed.
const widgetStamp = join(root, "dist", "widget", ".build-stamp");
const widgetSources = ["widget/src", "scripts/build-widget.mjs"];
const widgetIsStale =
  !existsSync(widgetStamp) ||
  widgetSources.some((source) => {
    const path = join(root, source);
    return existsSync(path) && newestChange(path) > statSync(widgetStamp).mtimeMs;
  });
if (widgetIsStale && existsSync(join(root, "widget", "src"))) {
  process.stdout.write("vbwd: building the widget…\n");
  const { buildWidget } = await import("./build-widget.mjs");
  await buildWidget();
}

if (!process.argv.includes("--build-only")) await import(join(root, "dist", "src", "cli.js"));
