import { type AgentServiceApi } from '../endpoints/agent-service';
import { backoffDelay } from '../internal/backoff';
import { pause } from './timing';

/** What the reconciler needs from its registration. */
export interface ReconcilerHost {
  /** The agent does not know the service: re-register (resolves once done or stopped). */
  missing(): Promise<void>;
  /** A probe failed (agent unreachable...); it is retried with backoff. */
  failed(error: Error, consecutive: number): void;
  /** False while (re)registering: the service may legitimately be missing then. */
  active(): boolean;
}

/** Long-poll duration of the hash-blocking read. */
export const RECONCILE_WAIT_MS = 30_000;
/** Retry delays while the agent is unreachable: capped low so a returning agent is seen fast. */
const RETRY_MIN_MS = 200;
const RETRY_MAX_MS = 1_000;

/**
 * Notices that the local agent lost the service, whatever its check types (HTTP and TCP checks do
 * not heartbeat, so only this can see it): a hash-blocking read of `GET /v1/agent/service/:id`
 * (BQ-32). The agent answers at once when the definition changes or disappears (404), so an
 * operator's deregistration or a `DeregisterCriticalServiceAfter` reap is seen within a round trip;
 * an agent restart breaks the long poll, and probes then retry every 0.2–1 s until the agent is
 * back and answers 404. Each long poll lasts at most 30 s, so a silently dead connection (no
 * RST) is noticed within that bound too. Agent-local: no server RPC, nothing for the Raft log.
 */
export class Reconciler {
  constructor(
    private readonly id: string,
    private readonly service: AgentServiceApi,
    private readonly host: ReconcilerHost,
    private readonly waitMs = RECONCILE_WAIT_MS,
  ) {}

  /** Runs until `signal` aborts. Never throws. */
  async run(signal: AbortSignal): Promise<void> {
    let hash: string | undefined;
    let failures = 0;
    while (!signal.aborted) {
      if (!this.host.active()) {
        await pause(RETRY_MAX_MS, signal);
        hash = undefined;
        continue;
      }
      try {
        const sent = hash;
        const started = Date.now();
        const found = await this.service(this.id, { hash, wait: this.waitMs, signal });
        failures = 0;
        if (signal.aborted) break;
        if (found === undefined) {
          hash = undefined;
          await this.host.missing();
        } else {
          hash = found.contentHash;
          // No hash to block on, or an early answer with the same hash (something between us and
          // the agent ignores hash blocking): poll instead of spinning.
          const early = hash === sent && Date.now() - started < this.waitMs / 2;
          if (hash === undefined || early) await pause(RETRY_MAX_MS, signal);
        }
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        hash = undefined;
        this.host.failed(err as Error, failures);
        await pause(backoffDelay(failures - 1, RETRY_MIN_MS, RETRY_MAX_MS), signal);
      }
    }
  }
}
