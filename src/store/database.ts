import { MikroORM, type EntityManager } from "@mikro-orm/core";
import type { Migrator } from "@mikro-orm/migrations";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { DatabaseTarget } from "../config.js";
import { withMysqlLock } from "./mysql-lock.js";
import { moduleLogger } from "../logger.js";
import { ormOptions } from "./orm-config.js";
import { tenantFilterName, type TenantFilterArgs } from "./tenant-owned.js";

const log = moduleLogger("store:database");

/** The engine's handle on its database: ORM, migrations and health. */
export class Database {
  readonly orm: MikroORM;
  readonly target: DatabaseTarget;

  private constructor(orm: MikroORM, target: DatabaseTarget) {
    this.orm = orm;
    this.target = target;
  }

  /** Connects (creating the SQLite file or MySQL database when missing). */
  static async open(target: DatabaseTarget): Promise<Database> {
    if (target.dialect === "sqlite" && target.path !== ":memory:") {
      mkdirSync(dirname(target.path), { recursive: true });
    }
    try {
      return new Database(await MikroORM.init(ormOptions(target)), target);
    } catch (err) {
      // Nodes starting together may race to create the database; the loser connects again.
      if ((err as { code?: string }).code !== "ER_DB_CREATE_EXISTS") throw err;
      return new Database(await MikroORM.init(ormOptions(target)), target);
    }
  }

  /**
   * Applies every pending migration; returns the names applied (none on a second run). On
   * MySQL a named lock makes nodes that start together migrate one after another.
   */
  async migrate(): Promise<string[]> {
    const target = this.target;
    const applied =
      target.dialect === "mysql"
        ? await withMysqlLock(target.url, "vbwd:migrations", () => this.migrator().up())
        : await this.migrator().up();
    const names = applied.map((migration) => migration.name);
    if (names.length > 0) log.info({ migrations: names }, "schema migrated");
    return names;
  }

  /** Names of migrations not yet applied. */
  async pendingMigrations(): Promise<string[]> {
    const pending = await this.migrator().getPendingMigrations();
    return pending.map((migration) => migration.name);
  }

  /** A fresh unit of work with no tenant set: tenant-owned reads fail until one is. */
  fork(): EntityManager {
    return this.orm.em.fork();
  }

  /** A fresh unit of work confined to one tenant's rows. */
  forkForTenant(tenantId: string): EntityManager {
    const em = this.orm.em.fork();
    em.setFilterParams(tenantFilterName, { tenantId } satisfies TenantFilterArgs);
    return em;
  }

  /** Resolves when the database answers a trivial query. */
  async ping(): Promise<void> {
    await this.orm.em.getConnection().execute("select 1");
  }

  /** Closes every connection. */
  async close(): Promise<void> {
    await this.orm.close(true);
  }

  private migrator(): Migrator {
    return this.orm.getMigrator() as Migrator;
  }
}
