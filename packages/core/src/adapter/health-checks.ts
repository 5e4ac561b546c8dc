import { ConsulOptionError } from '../errors';
import { type HealthStatus } from '../models/check';
import { type HealthReport } from '../registration/types';

/**
 * What a health check function returns: nothing or `true` → passing, `false` → critical, or a
 * {@link HealthReport} (`{ status, output? }`). Throwing (or rejecting) reports critical with the
 * error's message, so `async () => { await db.ping(); }` is a complete check.
 */
export type HealthCheckResult = void | boolean | HealthReport;

/** A health check function of an app (`app.consul.addCheck`, `ConsulService.addCheck`). */
export type HealthCheckFunction = () => HealthCheckResult | Promise<HealthCheckResult>;

/** The outcome of every check function: the worst status wins. */
export interface HealthSummary {
  status: HealthStatus;
  checks: Record<string, HealthReport>;
}

/**
 * HTTP status a health route answers per verdict, as Consul's HTTP checks read them: 2xx passing,
 * 429 warning, anything else critical.
 */
export const HEALTH_HTTP_STATUS: Readonly<Record<HealthStatus, number>> = Object.freeze({
  passing: 200,
  warning: 429,
  critical: 503,
});

const RANK: Record<HealthStatus, number> = { passing: 0, warning: 1, critical: 2 };

/**
 * The named check functions of one app. The health route and the TTL heartbeat both read them, so
 * Consul and a human looking at `/health` always see the same verdict.
 *
 * @example
 * const checks = new HealthCheckRegistry(5_000);
 * checks.add('db', async () => { await db.ping(); });
 * const { status } = await checks.run(); // 'passing' | 'warning' | 'critical'
 */
export class HealthCheckRegistry {
  private readonly checks = new Map<string, HealthCheckFunction>();

  /** @param timeoutMs a check that has not settled by then counts as critical. */
  constructor(private readonly timeoutMs: number) {}

  /** Adds a check; returns a function removing it. A name can be used once. */
  add(name: string, fn: HealthCheckFunction): () => void {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ConsulOptionError('addCheck.name', 'a non-empty string', name);
    }
    if (typeof fn !== 'function') throw new ConsulOptionError(`addCheck.${name}`, 'a function', fn);
    if (this.checks.has(name)) {
      throw new ConsulOptionError(`addCheck.${name}`, 'a check name not added yet', name);
    }
    this.checks.set(name, fn);
    return () => {
      if (this.checks.get(name) === fn) this.checks.delete(name);
    };
  }

  /** Names of the checks, in the order they were added. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check concurrently (each bounded by the timeout) and aggregates the results. */
  async run(): Promise<HealthSummary> {
    const entries = [...this.checks];
    const outcomes = await Promise.all(entries.map(([, fn]) => runOne(fn, this.timeoutMs)));
    const checks: Record<string, HealthReport> = {};
    let status: HealthStatus = 'passing';
    entries.forEach(([name], i) => {
      const outcome = outcomes[i] as HealthReport;
      checks[name] = outcome;
      if (RANK[outcome.status] > RANK[status]) status = outcome.status;
    });
    return { status, checks };
  }

  /** The verdict as a TTL check reports it: the worst status, one output line per check. */
  async report(): Promise<HealthReport> {
    const summary = await this.run();
    return { status: summary.status, output: summaryOutput(summary) };
  }
}

/** One line per check, for the TTL check's output in Consul (`db: critical (timeout)`). */
export function summaryOutput(summary: HealthSummary): string {
  const lines = Object.entries(summary.checks).map(
    ([name, c]) => `${name}: ${c.status}${c.output ? ` (${c.output})` : ''}`,
  );
  return lines.length > 0 ? lines.join('\n') : 'no application checks';
}

async function runOne(fn: HealthCheckFunction, timeoutMs: number): Promise<HealthReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthReport>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'critical', output: `timed out after ${timeoutMs} ms` }),
      timeoutMs,
    );
    // A slow check must not keep a closing process alive.
    timer.unref();
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(fn)
        .then(toHealthReport, (err: unknown) => ({
          status: 'critical' as const,
          output: message(err),
        })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function toHealthReport(result: HealthCheckResult): HealthReport {
  if (result === undefined || result === true) return { status: 'passing' };
  if (result === false) return { status: 'critical' };
  if (typeof result === 'object' && result !== null && result.status in RANK) {
    return result.output === undefined
      ? { status: result.status }
      : { status: result.status, output: String(result.output) };
  }
  return { status: 'critical', output: 'check returned an unrecognised result' };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
