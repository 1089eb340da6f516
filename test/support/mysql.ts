import { createConnection, type Connection } from "mysql2/promise";
import type { ScratchDatabase } from "./databases.js";

/** A plain mysql2 connection to a scratch database, for checking what was written. */
export function mysqlConnection(scratch: ScratchDatabase): Promise<Connection> {
  if (scratch.target.dialect !== "mysql") throw new Error("not a MySQL scratch database");
  return createConnection({ uri: scratch.target.url });
}
