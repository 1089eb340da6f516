import type { EntityManager } from "@mikro-orm/core";
import type { Knex, SqlEntityManager } from "@mikro-orm/knex";
import { DateTime } from "luxon";
import { moduleLogger } from "../logger.js";
import type { Database } from "../store/database.js";

const log = moduleLogger("tenants:protocol-usage");

const table = "tenant_protocol_usage";
const minuteMs = 60_000;

/** How often counted requests are added to the table unless told otherwise. */
export const defaultUsageFlushMs = 10_000;

/** One row of `tenant_protocol_usage` to add to. */
interface UsageRow {
  tenant_id: string;
  day: string;
  protocol: string;
  requests: number;
}

/**
 * Counts API requests per tenant and protocol in memory and adds them to
 * `tenant_protocol_usage` (tenant, local day, protocol → requests) every `flushMs` and when
 * stopped. Each node adds its own counts, so the table holds the cluster's total.
 */
export class ProtocolUsageMeter {
  /** Requests by `tenant \t protocol \t minute`; the minute gives the day at flush time. */
  private counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly flushMs = defaultUsageFlushMs,
  ) {}

  /** Counts one answered request of a tenant. */
  count(tenantId: string, protocol: string, atMs = Date.now()): void {
    const key = `${tenantId}\t${protocol}\t${Math.floor(atMs / minuteMs)}`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Starts flushing every `flushMs`. */
  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  /** Stops the timer and writes what is left. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Adds the counts so far to the table; flushes run one after the other. */
  flush(): Promise<void> {
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.counts.size === 0) return;
    const taken = this.counts;
    this.counts = new Map();
    try {
      const knex = (this.db.fork() as EntityManager as SqlEntityManager).getKnex();
      const rows = await this.rowsOf(knex, taken);
      if (rows.length > 0) await upsertUsage(knex, rows, this.db.target.dialect === "mysql");
    } catch (err) {
      // Kept for the next flush rather than lost; the table is a statistic, not a ledger.
      for (const [key, n] of taken) this.counts.set(key, (this.counts.get(key) ?? 0) + n);
      log.warn({ err, keys: taken.size }, "could not write protocol usage; retrying next flush");
    }
  }

  /** The counts summed per tenant-local day; tenants that no longer exist are dropped. */
  private async rowsOf(knex: Knex, taken: Map<string, number>): Promise<UsageRow[]> {
    const tenantIds = [...new Set([...taken.keys()].map((key) => key.split("\t")[0]!))];
    const tenants: { id: string; timezone: string }[] = await knex("tenants")
      .select("id", "timezone")
      .whereIn("id", tenantIds);
    const zones = new Map(tenants.map((tenant) => [tenant.id, tenant.timezone]));

    const rows = new Map<string, UsageRow>();
    for (const [key, requests] of taken) {
      const [tenantId, protocol, minute] = key.split("\t") as [string, string, string];
      const zone = zones.get(tenantId);
      if (zone === undefined) continue;
      const day = localDay(Number(minute) * minuteMs, zone);
      const rowKey = `${tenantId}\t${day}\t${protocol}`;
      const row = rows.get(rowKey) ?? { tenant_id: tenantId, day, protocol, requests: 0 };
      row.requests += requests;
      rows.set(rowKey, row);
    }
    return [...rows.values()];
  }
}

/** The `YYYY-MM-DD` date of an instant in a time zone (UTC when the zone is unknown). */
export function localDay(ms: number, zone: string): string {
  const local = DateTime.fromMillis(ms, { zone });
  return (local.isValid ? local : DateTime.fromMillis(ms, { zone: "utc" })).toISODate()!;
}

/** Inserts the rows or adds their requests to the rows already there, on either dialect. */
function upsertUsage(knex: Knex, rows: UsageRow[], mysql: boolean) {
  const added = mysql
    ? knex.raw("`requests` + values(`requests`)")
    : knex.raw(`\`${table}\`.\`requests\` + excluded.\`requests\``);
  return knex(table)
    .insert(rows)
    .onConflict(["tenant_id", "day", "protocol"])
    .merge({ requests: added });
}
