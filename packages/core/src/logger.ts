/**
 * The logger `@consulkit/core` writes to. Adapters pass the framework's logger (Fastify's pino, Nest's
 * Logger); the default only surfaces warnings and errors through `process.emitWarning`. Messages and
 * contexts never contain the ACL token.
 */
export interface ConsulLogger {
  /** Detail for troubleshooting (retries, repeated failures of an outage already reported). */
  debug(message: string, context?: Record<string, unknown>): void;
  /** Lifecycle events (registered, re-registered, deregistered...). */
  info(message: string, context?: Record<string, unknown>): void;
  /** Something degraded and is being retried or worked around (an outage, a lost lock). */
  warn(message: string, context?: Record<string, unknown>): void;
  /** A failure the library cannot recover from by itself, or a user listener that threw. */
  error(message: string, context?: Record<string, unknown>): void;
}

/** A logger that drops debug/info and forwards warnings and errors to `process.emitWarning`. */
export const defaultLogger: ConsulLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: (message) => process.emitWarning(message, { type: 'ConsulWarning' }),
  error: (message) => process.emitWarning(message, { type: 'ConsulError' }),
};

/** A logger that drops everything. */
export const silentLogger: ConsulLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
