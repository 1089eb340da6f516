import { ConfigError, loadConfig, type Config } from "./config.js";
import { moduleLogger } from "./logger.js";
import { migrateOnly, startEngine, type RunningEngine } from "./main.js";

const log = moduleLogger("cli");

/** Entry point of `npm start` and `npm run migrate`. */
async function main(argv: string[]): Promise<void> {
  const config = readConfig();
  if (argv.includes("--migrate-only")) {
    const applied = await migrateOnly(config);
    const summary = applied.length ? `applied ${applied.join(", ")}` : "already up to date";
    process.stdout.write(`vbwd: ${config.database.dialect} schema ${summary}\n`);
    return;
  }

  const engine = await startEngine(config);
  process.stdout.write(banner(engine, config));
  for (const signal of ["SIGTERM", "SIGINT"] as const) {
    process.once(signal, () => {
      log.info({ signal }, "shutdown requested");
      engine.stop().then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    });
  }
}

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vbwd: cannot start, ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

function banner(engine: RunningEngine, config: Config): string {
  const lines = [
    "",
    `VBWD is listening on ${engine.url}`,
    `  database:  ${describeDatabase(config)}`,
    `  cluster:   ${config.redisUrl ? "member through Redis" : "single node"}`,
    `  health:    ${engine.url}/healthz   readiness: ${engine.url}/readyz`,
    `  docs:      README.md (API: ${engine.url}/)`,
  ];
  if (engine.generatedAdminToken) {
    lines.push(`  platform admin token (shown once, keep it): ${engine.generatedAdminToken}`);
  } else if (!config.platformAdminToken) {
    lines.push(
      "  platform admin token: generated at first start (set PLATFORM_ADMIN_TOKEN to choose)",
    );
  }
  const demo = engine.demo?.credentials;
  if (demo) {
    lines.push(
      `  demo tenant "${demo.tenantCode}"${engine.demo?.created ? " (created now)" : ""}:`,
      `    secret key:       ${demo.secretKey}`,
      `    publishable key:  ${demo.publishableKey}`,
      `    staff login:      ${demo.ownerEmail} / ${demo.ownerPassword}`,
      `    calendar ${demo.calendarId}, service ${demo.serviceId}`,
      `    try it:           ${engine.url}/demo/clinic (the widget on a clinic page)`,
      `    staff dashboard:  ${engine.url}/dashboard`,
    );
  }
  return lines.join("\n") + "\n\n";
}

function describeDatabase(config: Config): string {
  const target = config.database;
  return target.dialect === "sqlite" ? `SQLite ${target.path}` : `MySQL ${target.database}`;
}

main(process.argv.slice(2)).catch((err: unknown) => {
  log.fatal({ err }, "engine failed to start");
  process.exitCode = 1;
  setTimeout(() => process.exit(1), 100).unref();
});
