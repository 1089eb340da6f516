import type { EntityManager } from "@mikro-orm/core";
import type { Knex, SqlEntityManager } from "@mikro-orm/knex";
import type { Database } from "../store/database.js";

/** The query builder under the ORM, for the engine's hot, hand-written statements. */
export function knexOf(db: Database): Knex {
  return (db.orm.em as EntityManager as SqlEntityManager).getKnex();
}
