import { createConnection } from "mysql2/promise";

/**
 * Runs `work` while holding a MySQL named lock (GET_LOCK) on a connection of its own, so that
 * only one process at a time does it. Waits up to `waitSeconds` for the lock.
 */
export async function withMysqlLock<T>(
  url: string,
  name: string,
  work: () => Promise<T>,
  waitSeconds = 120,
): Promise<T> {
  const connection = await createConnection({ uri: url });
  try {
    const [rows] = await connection.query("select get_lock(?, ?) as got", [name, waitSeconds]);
    if ((rows as { got: number | null }[])[0]?.got !== 1) {
      throw new Error(`could not take the ${name} lock within ${waitSeconds} s`);
    }
    try {
      return await work();
    } finally {
      await connection.query("select release_lock(?)", [name]);
    }
  } finally {
    await connection.end();
  }
}
