import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createConnection } from "mysql2/promise";
import type { DatabaseTarget } from "../../src/config.js";
import { mysqlUrl, warnSkipped } from "./services.js";

/** A database made for one suite, and how to drop it. */
export interface ScratchDatabase {
  target: DatabaseTarget;
  drop(): Promise<void>;
}

/** A dialect the integration suites run against. */
export interface DialectUnderTest {
  name: "sqlite" | "mysql";
  /** Makes an empty database for one suite. */
  create(label: string): Promise<ScratchDatabase>;
}

/** SQLite always; MySQL when DATABASE_URL points at it (a loud skip otherwise). */
export function dialectsUnderTest(): DialectUnderTest[] {
  const dialects: DialectUnderTest[] = [{ name: "sqlite", create: createSqlite }];
  const url = mysqlUrl();
  if (url) dialects.push({ name: "mysql", create: (label) => createMysql(url, label) });
  else warnSkipped("MySQL integration suites", "DATABASE_URL does not point at mysql://");
  return dialects;
}

async function createSqlite(label: string): Promise<ScratchDatabase> {
  const folder = mkdtempSync(join(tmpdir(), `vbwd-${label}-`));
  return {
    target: { dialect: "sqlite", path: join(folder, "vbwd.sqlite") },
    drop: async () => rmSync(folder, { recursive: true, force: true }),
  };
}

async function createMysql(url: string, label: string): Promise<ScratchDatabase> {
  const base = new URL(url);
  const prefix = decodeURIComponent(base.pathname.slice(1)) || "vbwd_test";
  const suffix = `${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const database = `${prefix}_${label.replace(/\W/g, "_")}_${suffix}`.slice(0, 64);
  const target = new URL(url);
  target.pathname = `/${database}`;
  return {
    target: { dialect: "mysql", url: target.toString(), database },
    drop: () => dropMysqlDatabase(url, database),
  };
}

async function dropMysqlDatabase(url: string, database: string): Promise<void> {
  const server = new URL(url);
  server.pathname = "/";
  const connection = await createConnection({ uri: server.toString() });
  await connection.query(`drop database if exists \`${database}\``);
  await connection.end();
}
