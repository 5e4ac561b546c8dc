import { type ConsulLogger } from '@consulkit/core';
import { type FastifyBaseLogger } from 'fastify';

/** Context keys never forwarded to the log, whatever a caller put there (defence in depth). */
const SECRET_KEY = /token|secret|password|authorization/i;

/**
 * Adapts Fastify's pino logger to core's {@link ConsulLogger}: core calls `(message, context)`,
 * pino wants `(object, message)`. Keys that look like credentials are dropped so that an ACL token
 * can never reach the log, even if a context object carried one by mistake.
 */
export function pinoConsulLogger(log: FastifyBaseLogger): ConsulLogger {
  const forward =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (message: string, context?: Record<string, unknown>): void => {
      if (context === undefined) log[level](message);
      else log[level](scrub(context), message);
    };
  return {
    debug: forward('debug'),
    info: forward('info'),
    warn: forward('warn'),
    error: forward('error'),
  };
}

function scrub(context: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (!SECRET_KEY.test(key)) out[key] = value;
  }
  return out;
}
