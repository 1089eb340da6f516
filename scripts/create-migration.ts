/**
 * Writes a migration for each dialect from the difference between the entities and a
 * database that has every existing migration applied. Needs MySQL at MIGRATION_MYSQL_URL
 * (default mysql://root@127.0.0.1:3306); run with `npm run migration:create -- name`.
 */
import { MikroORM } from "@mikro-orm/core";
import type { Migrator } from "@mikro-orm/migrations";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DatabaseTarget } from "../src/config.js";
import { ormOptions } from "../src/store/orm-config.js";

const name = process.argv[2] ?? "";
const mysqlServer = process.env.MIGRATION_MYSQL_URL ?? "mysql://root@127.0.0.1:3306";
const scratchDb = `vbwd_migration_${process.pid}`;

const targets: DatabaseTarget[] = [
  { dialect: "sqlite", path: join(mkdtempSync(join(tmpdir(), "vbwd-mig-")), "scratch.sqlite") },
  { dialect: "mysql", url: `${mysqlServer}/${scratchDb}`, database: scratchDb },
];

for (const target of targets) {
  const folder = join("src/store/migrations", target.dialect);
  const orm = await MikroORM.init(ormOptions(target));
  try {
    const migrator = orm.getMigrator() as Migrator;
    await migrator.up();
    const created = await migrator.createMigration(folder, false, false, name || undefined);
    if (created.diff.up.length === 0) {
      process.stdout.write(`${target.dialect}: entities match the migrations, nothing written\n`);
      continue;
    }
    if (target.dialect === "mysql") dropMariaDbNoise(join(folder, created.fileName));
    registerMigration(folder, created.fileName.replace(/\.ts$/, ""), target.dialect);
    process.stdout.write(`${target.dialect}: wrote ${folder}/${created.fileName}\n`);
  } finally {
    if (target.dialect === "mysql")
      await orm.em.getConnection().execute(`drop database ${scratchDb}`);
    await orm.close(true);
  }
}

/**
 * MariaDB reports JSON columns as longtext with json_valid checks and quotes defaults, which
 * the MySQL driver's diff reads as changes to every existing table. Those statements are
 * dropped; review the written file before committing it.
 */
function dropMariaDbNoise(path: string) {
  const noise =
    /this\.addSql\(`alter table \\`\w+\\` (modify |drop constraint |add constraint \w+ check\(json_valid)/;
  const kept = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => !noise.test(line));
  writeFileSync(path, kept.join("\n").replace(/\n{3,}/g, "\n\n"));
  process.stdout.write(`mysql: dropped MariaDB's false column changes from ${path}; review it\n`);
}

function registerMigration(folder: string, file: string, dialect: string) {
  const indexPath = join(folder, "index.ts");
  const className = file;
  let source = readFileSync(indexPath, "utf8");
  source = `import { ${className} } from "./${file}.js";\n` + source;
  source = source.replace(
    /(Migrations: MigrationObject\[\] = \[)([\s\S]*?)(\];)/,
    (_all, open: string, items: string, close: string) =>
      `${open}${items.trimEnd()}\n  { name: "${file}", class: ${className} },\n${close}`,
  );
  writeFileSync(indexPath, source);
  process.stdout.write(`${dialect}: registered ${className}\n`);
}
