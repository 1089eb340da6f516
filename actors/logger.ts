/** The logging the runtime needs; a pino logger fits. */
export interface ActorLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: object): ActorLogger;
}

/** A logger that drops everything, for callers that pass none. */
export const silentLogger: ActorLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return silentLogger;
  },
};
