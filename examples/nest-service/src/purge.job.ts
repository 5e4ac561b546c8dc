import { ConsulService, LeaderOnly } from '@consulkit/nest';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { EDGE_ENV, type EdgeEnv } from './env';
import { Origins } from './origins';

/** Purge requests: one KV key per object path, e.g. `cdn/purge-queue/img/1.jpg`. */
export const PURGE_QUEUE = 'cdn/purge-queue/';
/** The election behind the job: exactly one edge of the fleet runs it. */
export const PURGE_LEADER_KEY = 'cdn/leader/purge';

/**
 * Drains the purge queue: asks the origin owning each queued object to drop it, then deletes the
 * request. Every edge ticks; only the leader runs (`@LeaderOnly`). When the leader shuts down it
 * gives the leadership up, and another edge carries on.
 */
@Injectable()
export class PurgeJob implements OnApplicationBootstrap, OnApplicationShutdown {
  /** Runs of the job on this edge (ticks while leading). */
  runs = 0;
  /** Objects this edge purged. */
  purged = 0;
  /** When this edge last ran the job. */
  lastRunAt: string | undefined;
  private readonly logger = new Logger(PurgeJob.name);
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    @Inject(ConsulService) private readonly consul: ConsulService,
    @Inject(Origins) private readonly origins: Origins,
    @Inject(EDGE_ENV) private readonly env: EdgeEnv,
  ) {}

  onApplicationBootstrap(): void {
    // A plain timer; @Interval from @nestjs/schedule works the same with @LeaderOnly.
    this.timer = setInterval(() => void this.tick(), this.env.purgeIntervalMs);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Runs the job unless the previous run is still going. */
  private async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      await this.purgeQueued();
    } catch (err) {
      // The request stays queued; the next run (here or on the next leader) retries it.
      this.logger.warn(`purge failed: ${(err as Error).message}`);
    } finally {
      this.running = false;
    }
  }

  /** Purges every queued object; skipped (returns `undefined`) unless this edge leads. */
  @LeaderOnly(PURGE_LEADER_KEY)
  async purgeQueued(): Promise<number> {
    this.runs++;
    this.lastRunAt = new Date().toISOString();
    const keys = (await this.consul.kv.keys(PURGE_QUEUE)).filter((k) => !k.endsWith('/'));
    for (const key of keys) {
      const path = `/${key.slice(PURGE_QUEUE.length)}`;
      const result = await this.origins.purge(path);
      await this.consul.kv.delete(key);
      this.purged++;
      this.logger.log(`purged ${path} on ${result.origin}`);
    }
    return keys.length;
  }
}
