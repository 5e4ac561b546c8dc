import { type LoggerService } from '@nestjs/common';

/** One line Nest logged. */
export interface LogLine {
  level: 'log' | 'error' | 'warn' | 'debug' | 'verbose' | 'fatal';
  message: string;
}

/** A Nest logger keeping the app's lines in memory, for the test to read. */
export function logCollector(): { logger: LoggerService; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const capture =
    (level: LogLine['level']) =>
    (message: unknown): void => {
      lines.push({ level, message: String(message) });
    };
  const logger: LoggerService = {
    log: capture('log'),
    error: capture('error'),
    warn: capture('warn'),
    debug: capture('debug'),
    verbose: capture('verbose'),
    fatal: capture('fatal'),
  };
  return { logger, lines };
}
