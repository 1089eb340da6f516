import { pino, type Logger } from "pino";

export type { Logger } from "pino";

let root: Logger = createRoot(process.env.LOG_LEVEL || "info");
const children = new Map<string, Logger>();

function createRoot(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    serializers: { err: pino.stdSerializers.err },
  });
}

/** Replaces the root logger once the configuration is known; module loggers follow it. */
export function configureLogging(level: string): Logger {
  root = createRoot(level);
  children.clear();
  return root;
}

/**
 * A logger for one module, named like `gateway:http`. It may be taken at import time:
 * it always writes through the root logger that `configureLogging` set last.
 */
export function moduleLogger(module: string): Logger {
  const current = (): Logger => {
    let child = children.get(module);
    if (child === undefined) {
      child = root.child({ module });
      children.set(module, child);
    }
    return child;
  };
  return new Proxy({} as Logger, {
    get(_target, property) {
      const child = current();
      const value = Reflect.get(child, property, child) as unknown;
      return typeof value === "function" ? value.bind(child) : value;
    },
  });
}
