import { BetterSqliteDriver } from "@mikro-orm/better-sqlite";
import type { Options } from "@mikro-orm/core";
import type { MigrationObject } from "@mikro-orm/core";
import { Migrator } from "@mikro-orm/migrations";
import { MySqlDriver } from "@mikro-orm/mysql";
import type { DatabaseTarget } from "../config.js";
import { entitySchemas } from "./entities/index.js";
import { mysqlMigrations } from "./migrations/mysql/index.js";
import { sqliteMigrations } from "./migrations/sqlite/index.js";

/** The versioned migrations of one dialect, oldest first. */
export function migrationsFor(dialect: DatabaseTarget["dialect"]): MigrationObject[] {
  return dialect === "sqlite" ? sqliteMigrations : mysqlMigrations;
}

/** MikroORM options for a database target; entities and migrations are listed, not globbed. */
export function ormOptions(target: DatabaseTarget): Options {
  const common = {
    entities: entitySchemas,
    discovery: { requireEntitiesArray: true, warnWhenNoEntities: false },
    extensions: [Migrator],
    forceUtcTimezone: true,
    allowGlobalContext: false,
    debug: false,
    migrations: {
      tableName: "schema_migrations",
      migrationsList: migrationsFor(target.dialect),
      // MySQL commits DDL implicitly, so a wrapping transaction would only pretend.
      transactional: target.dialect === "sqlite",
      allOrNothing: target.dialect === "sqlite",
      snapshot: false,
      silent: true,
    },
  } satisfies Options;

  if (target.dialect === "sqlite") {
    return {
      ...common,
      driver: BetterSqliteDriver,
      dbName: target.path,
      pool: { min: 1, max: 1, afterCreate: configureSqliteConnection },
    } as Options;
  }
  return {
    ...common,
    driver: MySqlDriver,
    clientUrl: target.url,
    timezone: "+00:00",
    // Group commits send their statements as one query (src/engine/fenced-writes.ts). Every
    // value still travels as an escaped binding; nothing is spliced into SQL text.
    multipleStatements: true,
    pool: { min: 0, max: 10 },
  } as Options;
}

type SqliteConnection = { pragma(source: string): unknown };

function configureSqliteConnection(connection: SqliteConnection, done: (err?: Error) => void) {
  try {
    connection.pragma("journal_mode = WAL");
    connection.pragma("synchronous = NORMAL");
    connection.pragma("busy_timeout = 5000");
    connection.pragma("foreign_keys = ON");
    done();
  } catch (err) {
    done(err as Error);
  }
}
