import { ConsulConfigError, type HealthStatus } from '@consulkit/core';

/** What a check function may report besides a bare status. */
export interface ConsulCheckReport {
  status: HealthStatus;
  /** Shown in the health route's body and as the TTL check's output in Consul. */
  output?: string;
}

/**
 * What a check function returns: nothing or `true` → passing, `false` → critical, or a
 * {@link ConsulCheckReport}. Throwing (or rejecting) reports critical with the error's message, so
 * `async () => { await db.ping(); }` is a complete check.
 */
export type ConsulCheckResult = void | boolean | ConsulCheckReport;

/** A health check function added with `ConsulService.addCheck(name, fn)`. */
export type ConsulCheckFunction = () => ConsulCheckResult | Promise<ConsulCheckResult>;

/** The outcome of every check function: the worst status wins. */
export interface ConsulHealthSummary {
  status: HealthStatus;
  checks: Record<string, ConsulCheckReport>;
}

const RANK: Record<HealthStatus, number> = { passing: 0, warning: 1, critical: 2 };

/**
 * The named check functions of one app. The health controller and the TTL heartbeat both read
 * them, so Consul and a human looking at `/health` always see the same verdict.
 */
export class CheckRegistry {
  private readonly checks = new Map<string, ConsulCheckFunction>();

  /** @param timeoutMs a check that has not settled by then counts as critical. */
  constructor(private readonly timeoutMs: number) {}

  /** Adds a check; returns a function removing it. A name can be used once. */
  add(name: string, fn: ConsulCheckFunction): () => void {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ConsulConfigError('addCheck.name', 'a non-empty string', name);
    }
    if (typeof fn !== 'function') throw new ConsulConfigError(`addCheck.${name}`, 'a function', fn);
    if (this.checks.has(name)) {
      throw new ConsulConfigError(`addCheck.${name}`, 'a check name not added yet', name);
    }
    this.checks.set(name, fn);
    return () => {
      if (this.checks.get(name) === fn) this.checks.delete(name);
    };
  }

  /** Runs every check concurrently (each bounded by the timeout) and aggregates the results. */
  async run(): Promise<ConsulHealthSummary> {
    const entries = [...this.checks];
    const outcomes = await Promise.all(entries.map(([, fn]) => runOne(fn, this.timeoutMs)));
    const checks: Record<string, ConsulCheckReport> = {};
    let status: HealthStatus = 'passing';
    entries.forEach(([name], i) => {
      const outcome = outcomes[i] as ConsulCheckReport;
      checks[name] = outcome;
      if (RANK[outcome.status] > RANK[status]) status = outcome.status;
    });
    return { status, checks };
  }
}

/** One line per check, for the TTL check's output in Consul (`db: critical (timeout)`). */
export function summaryOutput(summary: ConsulHealthSummary): string {
  const lines = Object.entries(summary.checks).map(
    ([name, c]) => `${name}: ${c.status}${c.output ? ` (${c.output})` : ''}`,
  );
  return lines.length > 0 ? lines.join('\n') : 'no application checks';
}

async function runOne(fn: ConsulCheckFunction, timeoutMs: number): Promise<ConsulCheckReport> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ConsulCheckReport>((resolve) => {
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
        .then(normalise, (err: unknown) => ({ status: 'critical' as const, output: message(err) })),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function normalise(result: ConsulCheckResult): ConsulCheckReport {
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
