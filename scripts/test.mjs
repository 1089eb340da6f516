// `npm test`: runs every uvu suite under test/ (TypeScript through tsx) and ends with one
// plain line `N passed, N failed`. Arguments narrow the run: `npm test -- gateway`.
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const filter = process.argv[2];
const pattern = filter ? `(?:${filter}).*\\.test\\.ts$` : "\\.test\\.ts$";
const env = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "silent" };

const child = spawn(
  process.execPath,
  ["--import", "tsx", join(root, "node_modules", "uvu", "bin.js"), "test", pattern],
  { cwd: root, env, stdio: ["ignore", "pipe", "inherit"] },
);

let output = "";
child.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  output += chunk.toString();
});

child.on("close", (code, signal) => {
  const plain = output.replace(/\x1b\[[0-9;]*m/g, "");
  const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const passed = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  const skipped = Number(/Skipped:\s+(\d+)/.exec(plain)?.[1] ?? 0);
  let failed = total - passed;
  // A suite that crashed while loading never reaches uvu's summary: count it as a failure.
  if ((code !== 0 || signal) && failed === 0) failed = 1;
  process.stdout.write(
    `\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`,
  );
  process.exit(failed > 0 ? 1 : 0);
});
