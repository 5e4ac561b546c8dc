import { type ConsulLogger } from '@consulkit/core';
import { Logger } from '@nestjs/common';

/** The context name of every log line the module writes. */
export const LOG_CONTEXT = 'ConsulModule';

/**
 * Core's logger interface over Nest's `Logger`, so that core's own messages (watch outages,
 * re-registrations, ejections) appear in the app's log with the module's context. Core never puts
 * an ACL token in a message or context.
 */
export function nestConsulLogger(logger: Logger = new Logger(LOG_CONTEXT)): ConsulLogger {
  const line = (message: string, context?: Record<string, unknown>) =>
    context && Object.keys(context).length > 0 ? `${message} ${safeJson(context)}` : message;
  return {
    debug: (message, context) => logger.debug(line(message, context)),
    info: (message, context) => logger.log(line(message, context)),
    warn: (message, context) => logger.warn(line(message, context)),
    error: (message, context) => logger.error(line(message, context)),
  };
}

function safeJson(value: Record<string, unknown>): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v instanceof Error ? v.message : typeof v === 'bigint' ? v.toString() : v,
    );
  } catch {
    return '[unserialisable context]';
  }
}
