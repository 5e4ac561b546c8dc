import { type HealthStatus } from '../models/check';
import { type HealthFunction, type HealthReport } from './types';
import { withTimeout } from './timing';

const STATUSES: readonly string[] = ['passing', 'warning', 'critical'];
/** Consul truncates check output to 4 KB by default; longer text only costs bandwidth. */
const MAX_OUTPUT = 4096;

/**
 * Runs the in-process health function and turns whatever it does into a {@link HealthReport}:
 * `true`/`false`, a report, a throw (critical with the message), a malformed report (critical), or
 * no answer within `timeoutMs` (critical). Never throws: the heartbeat must go on.
 */
export async function evaluateHealth(
  fn: HealthFunction | undefined,
  timeoutMs: number,
): Promise<HealthReport> {
  if (!fn) return { status: 'passing' };
  let result: unknown;
  try {
    result = await withTimeout(
      Promise.resolve().then(fn),
      timeoutMs,
      () => new Error(`health function did not answer within ${Math.round(timeoutMs)} ms`),
    );
  } catch (err) {
    return {
      status: 'critical',
      output: truncate(err instanceof Error ? err.message : String(err)),
    };
  }
  if (result === true) return { status: 'passing' };
  if (result === false) return { status: 'critical' };
  const report = result as Partial<HealthReport> | null;
  if (report && typeof report === 'object' && STATUSES.includes(report.status as string)) {
    const output = typeof report.output === 'string' ? truncate(report.output) : undefined;
    return output === undefined
      ? { status: report.status as HealthStatus }
      : { status: report.status as HealthStatus, output };
  }
  return {
    status: 'critical',
    output: 'health function returned neither a boolean nor { status: passing|warning|critical }',
  };
}

function truncate(text: string): string {
  return text.length > MAX_OUTPUT ? `${text.slice(0, MAX_OUTPUT - 3)}...` : text;
}
