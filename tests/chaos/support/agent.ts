import { Consul, type ConsulLogger, silentLogger } from '@consulkit/core';
import { clientFactory, type StartConsulOptions, useConsulAgent } from '@consulkit/testing';

/** A real agent for the test file, with clients on it (silent logger) closed after the file. */
export const useAgent = (options: StartConsulOptions = {}) =>
  useConsulAgent(
    { ...options, hookTimeout: 90_000 },
    clientFactory(Consul, { logger: silentLogger }),
  );

/** A logger that keeps every line (level, message, context) for assertions. */
export interface CapturingLogger extends ConsulLogger {
  readonly lines: Array<{ level: string; message: string; context?: Record<string, unknown> }>;
  /** Every line as text, context included (what would reach a log file). */
  text(): string;
}

/** A {@link ConsulLogger} that captures instead of printing. */
export function capturingLogger(): CapturingLogger {
  const lines: CapturingLogger['lines'] = [];
  const at =
    (level: string) =>
    (message: string, context?: Record<string, unknown>): void => {
      lines.push({ level, message, context });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    text: () => lines.map((l) => `${l.level} ${l.message} ${safeStringify(l.context)}`).join('\n'),
  };
}

/** JSON of a log context, tolerating errors, bigints and cycles. */
export function safeStringify(value: unknown): string {
  const seen = new WeakSet<object>();
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return v.toString();
        if (v instanceof Error) {
          return { ...v, name: v.name, message: v.message, stack: v.stack, cause: v.cause };
        }
        if (typeof v === 'object' && v !== null) {
          if (seen.has(v)) return '[cycle]';
          seen.add(v);
        }
        return v;
      }) ?? ''
    );
  } catch {
    return String(value);
  }
}
