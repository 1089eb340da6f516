import type { EntityManager } from "@mikro-orm/core";
import type { SqlEntityManager } from "@mikro-orm/knex";
import type { DatabaseTarget } from "../config.js";

/**
 * Runs `work` in a transaction that first locks the tenant's row, so that counting what the
 * tenant has and adding to it is one step for every engine node at once. On MySQL the row lock
 * (`select … for update`) makes each other such transaction of the tenant wait until this one
 * commits; on SQLite the engine has one connection and the database one writer, so these
 * transactions never interleave. Keep `work` short: it holds the tenant's lock.
 */
export async function withTenantLocked<T>(
  em: EntityManager,
  dialect: DatabaseTarget["dialect"],
  tenantId: string,
  work: (tx: EntityManager) => Promise<T>,
): Promise<T> {
  return em.transactional(async (tx) => {
    if (dialect === "mysql") {
      const sql = tx as SqlEntityManager;
      await sql.execute("select id from tenants where id = ? for update", [tenantId]);
    }
    return work(tx);
  });
}
