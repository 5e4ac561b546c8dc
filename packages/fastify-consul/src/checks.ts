import { ConsulConfigError } from '@consulkit/core';

/** Status of a check, as Consul names them. */
export type CheckStatus = 'passing' | 'warning' | 'critical';

/** What a check function may report besides a bare status. */
export interface CheckReport {
  status: CheckStatus;
  /** Shown in the health route's body and as the TTL check's output in Consul. */
  output?: string;
}

/**
 * What a check function returns: nothing or `true` → passing, `false` → critical, or a
 * {@link CheckReport}. Throwing (or rejecting) reports critical with the error's message, so
 * `async () => { await db.ping(); }` is a complete check.
 */
export type CheckResult = void | boolean | CheckReport;

/** A health check function registered with `app.consul.addCheck(name, fn)`. */
export type CheckFunction = () => CheckResult | Promise<CheckResult>;

/** The outcome of one check function. */
export interface CheckOutcome {
  status: CheckStatus;
  output?: string;
}

/** The outcome of every check function: the worst status wins. */
export interface HealthSummary {
  status: CheckStatus;
  checks: Record<string, CheckOutcome>;
}

const RANK: Record<CheckStatus, number> = { passing: 0, warning: 1, critical: 2 };

/**
 * The named check functions of one app. The health route and the TTL heartbeat both read them,
 * so Consul and a human looking at `/health` always see the same verdict.
 */
export class CheckRegistry {
  private readonly checks = new Map<string, CheckFunction>();

  /** @param timeoutMs a check that has not settled by then counts as critical. */
  constructor(private readonly timeoutMs: number) {}

  /** Adds a check; returns a function removing it. A name can be used once. */
  add(name: string, fn: CheckFunction): () => void {
    if (typeof name !== 'string' || name.trim() === '') {
      throw new ConsulConfigError('addCheck.name', 'a non-empty string', name);
    }
    if (typeof fn !== 'function') {
      throw new ConsulConfigError(`addCheck.${name}`, 'a function', fn);
    }
    if (this.checks.has(name)) {
      throw new ConsulConfigError(`addCheck.${name}`, 'a check name not registered yet', name);
    }
    this.checks.set(name, fn);
    return () => {
      if (this.checks.get(name) === fn) this.checks.delete(name);
    };
  }

  /** Names of the registered checks, in registration order. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check concurrently (each bounded by the timeout) and aggregates the results. */
  async run(): Promise<HealthSummary> {
    const entries = [...this.checks];
    const outcomes = await Promise.all(entries.map(([, fn]) => runOne(fn, this.timeoutMs)));
    const checks: Record<string, CheckOutcome> = {};
    let status: CheckStatus = 'passing';
    entries.forEach(([name], i) => {
      const outcome = outcomes[i] as CheckOutcome;
      checks[name] = outcome;
      if (RANK[outcome.status] > RANK[status]) status = outcome.status;
    });
    return { status, checks };
  }
}

/** One line per check, for the TTL check's output in Consul (`db: critical (timeout)`). */
export function summaryOutput(summary: HealthSummary): string {
  const lines = Object.entries(summary.checks).map(
    ([name, c]) => `${name}: ${c.status}${c.output ? ` (${c.output})` : ''}`,
  );
  return lines.length > 0 ? lines.join('\n') : 'no application checks';
}

async function runOne(fn: CheckFunction, timeoutMs: number): Promise<CheckOutcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckOutcome>((resolve) => {
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

function normalise(result: CheckResult): CheckOutcome {
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
