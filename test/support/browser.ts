import { existsSync } from "node:fs";
import { chromium, type Browser } from "playwright-core";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { inCI, warnSkipped } from "./services.js";

/** Where Debian's chromium package installs the browser. */
export const chromiumPath = "/usr/bin/chromium";

// Headless in a container: no sandbox (often root), no GPU, and nothing that phones home.
const chromiumArgs = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * True when Chromium is installed. Without it, browser suites skip and say so loudly; under
 * CI=true, where nothing may skip, a failing test takes their place instead.
 */
export function chromiumInstalled(what: string): boolean {
  if (existsSync(chromiumPath)) return true;
  if (!inCI) {
    warnSkipped(what, `Chromium is not installed at ${chromiumPath} (apt-get install chromium)`);
    return false;
  }
  const missing = suite(`browser: ${what}`);
  missing("CI has Chromium", () => {
    assert.unreachable(`CI=true needs Chromium at ${chromiumPath}; .ci/run installs it`);
  });
  missing.run();
  return false;
}

/** Launches headless Chromium from the system package. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}
