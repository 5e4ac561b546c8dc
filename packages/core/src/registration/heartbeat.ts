import { MAX_TIMER_MS } from '../duration';
import { isUnknownCheckError } from '../endpoints/agent-check';
import { ConsulNotFoundError } from '../errors';
import { backoffDelay } from '../internal/backoff';
import { type HealthStatus } from '../models/check';
import { evaluateHealth } from './health-report';
import { jittered, pause } from './timing';
import { type HealthFunction, type HealthReport } from './types';

/** What the heartbeat needs from its registration. */
export interface HeartbeatHost {
  /** Sends one TTL update (`consul.agent.check.update`). */
  update(checkId: string, status: HealthStatus, output: string | undefined): Promise<void>;
  /** The agent lost a check: re-register (resolves once registered again or stopped). */
  lost(): Promise<void>;
  /** A heartbeat failed for another reason (it is retried quickly); `consecutive` counts them. */
  failed(error: Error, consecutive: number): void;
  /** False while (re)registering: a beat then would only hit the "unknown check" answer. */
  active(): boolean;
}

/** Fastest retry after a failed beat; the slowest is one period. */
const RETRY_MIN_MS = 250;
/**
 * Longest period: jittered by up to +10 %, it must still fit a Node timer (a longer wait fires
 * after 1 ms, and a TTL over ~74 days, beaten at a third of it, would beat every millisecond).
 */
const MAX_PERIOD_MS = Math.floor(MAX_TIMER_MS / 1.1);

/**
 * The TTL heartbeat of one registration: every period (a third of the shortest TTL unless given,
 * jittered ±10 %) it asks the health function once and reports the result to every TTL check. A
 * failed beat is retried quickly (backoff from 250 ms, capped at the period) so one lost request
 * does not let a TTL expire; an "unknown check" answer asks the registration to re-register.
 */
export class Heartbeat {
  private report: HealthReport | undefined;
  private wake: (() => void) | undefined;
  /** Time between beats (at most about 22.5 days, see MAX_PERIOD_MS). */
  readonly periodMs: number;

  constructor(
    private readonly checkIds: readonly string[],
    periodMs: number,
    private readonly health: HealthFunction | undefined,
    private readonly host: HeartbeatHost,
  ) {
    this.periodMs = Math.min(periodMs, MAX_PERIOD_MS);
  }

  /** The last health report (undefined before the first evaluation). */
  get lastReport(): HealthReport | undefined {
    return this.report;
  }

  /** Evaluates the health function now (used for the status of a (re)registration). */
  async evaluate(): Promise<HealthReport> {
    this.report = await evaluateHealth(this.health, this.periodMs);
    return this.report;
  }

  /** Cuts the current wait short: the next beat happens now (e.g. the health just changed). */
  beatNow(): void {
    this.wake?.();
  }

  /** Runs until `signal` aborts. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let wait = jittered(this.periodMs);
      if (this.host.active()) {
        const report = await this.evaluate();
        if (signal.aborted) break;
        try {
          await Promise.all(
            this.checkIds.map((id) => this.host.update(id, report.status, report.output)),
          );
          failures = 0;
        } catch (err) {
          if (signal.aborted) break;
          if (err instanceof ConsulNotFoundError || isUnknownCheckError(err)) {
            await this.host.lost();
          } else {
            failures++;
            this.host.failed(err as Error, failures);
            wait = backoffDelay(failures - 1, RETRY_MIN_MS, Math.max(RETRY_MIN_MS, this.periodMs));
          }
        }
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        void pause(wait, signal).then(resolve);
      });
      this.wake = undefined;
    }
  }
}
