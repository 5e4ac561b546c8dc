import { ConsulLockError, type HeldLock, type LeaderElection } from '@consulkit/core';
import { prefixConfigError, toMillis } from '@consulkit/core/adapter';
import { Inject, Injectable } from '@nestjs/common';
import {
  campaignFailed,
  elected,
  lockReleaseFailed,
  revoked,
  skippedLockBusy,
  skippedLockFailed,
  skippedLockTimeout,
  skippedNotLeader,
  skippedShuttingDown,
} from '../consul.messages';
import { ConsulRuntime } from '../internal/consul-runtime';
import { type CoordinationMetadata, type WithLockOptions } from './coordination.metadata';
import { leaseOf } from './lease';
import { bindCoordinator, type CoordinatedCall, type CoordinatedRunner } from './method-wrapper';

const DEFAULT_LOCK_WAIT = '1s';

/**
 * Runs the `@LeaderOnly` and `@WithLock` methods of one app: one leader election per key (shared
 * by every method on that key), campaigning from `onApplicationBootstrap` and given up on
 * shutdown; a lock acquisition per `@WithLock` call.
 */
@Injectable()
export class ConsulCoordinator implements CoordinatedRunner {
  private readonly elections = new Map<string, LeaderElection>();
  private stopped = false;

  constructor(@Inject(ConsulRuntime) private readonly runtime: ConsulRuntime) {}

  /**
   * Validates the methods' options (a bad one fails startup, naming `Class.method.option`),
   * prepares their elections and binds the instance to this app.
   */
  register(instance: object, label: string, metas: readonly CoordinationMetadata[]): void {
    for (const meta of metas) {
      try {
        if (meta.kind === 'leader') this.election(meta.key, meta.options);
        else {
          const { wait, ...lockOptions } = meta.options;
          toMillis(wait ?? DEFAULT_LOCK_WAIT, 'wait');
          this.runtime.client.lock(meta.key, lockOptions);
        }
      } catch (err) {
        throw prefixConfigError(err, label);
      }
    }
    bindCoordinator(instance, this);
  }

  /** Starts campaigning for every `@LeaderOnly` key. */
  start(): void {
    for (const election of this.elections.values()) election.start();
  }

  /**
   * Gives every leadership up; from then on the coordinated methods of the app's instances skip
   * (a timer the app did not stop may still fire during shutdown).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled([...this.elections.values()].map((e) => e.stop()));
  }

  /**
   * Decides, for one call of a coordinated method, whether and how it runs: a `@LeaderOnly` call
   * runs under the current leadership, a `@WithLock` call under the lock it acquires; either way
   * the method's `@Lease()` parameters receive that hold.
   */
  run(meta: CoordinationMetadata, call: CoordinatedCall, label: string): unknown {
    if (this.stopped) {
      this.runtime.logger.debug(skippedShuttingDown(label));
      return undefined;
    }
    if (meta.kind === 'leader') {
      const leadership = this.elections.get(meta.key)?.leadership;
      if (leadership) return call(leaseOf('leader', leadership));
      this.runtime.logger.debug(skippedNotLeader(label, meta.key));
      return undefined;
    }
    return this.runLocked(meta.key, meta.options, call, label);
  }

  private election(key: string, options: CoordinationMetadata['options']): LeaderElection {
    const existing = this.elections.get(key);
    if (existing) return existing;
    const election = this.runtime.client.leader(key, options);
    const log = this.runtime.logger;
    election.on('elected', () => log.log(elected(key)));
    election.on('revoked', (reason) => log.log(revoked(key, reason.reason)));
    election.on('error', (err) => log.warn(campaignFailed(key, err)));
    this.elections.set(key, election);
    return election;
  }

  private async runLocked(
    key: string,
    options: WithLockOptions,
    call: CoordinatedCall,
    label: string,
  ): Promise<unknown> {
    const { wait, ...lockOptions } = options;
    const { scope, logger } = this.runtime;
    if (scope.closed) return undefined;
    let held: HeldLock | undefined;
    try {
      // Bound to the app (released on shutdown); a lock held elsewhere is skipped at once rather
      // than waited for (scheduled work).
      held = await scope.lock(key, lockOptions).tryAcquire({ timeout: wait ?? DEFAULT_LOCK_WAIT });
    } catch (err) {
      const timedOut = err instanceof ConsulLockError && err.reason === 'timeout';
      if (timedOut) logger.debug(skippedLockTimeout(label, key));
      else logger.warn(skippedLockFailed(label, key, err));
      return undefined;
    }
    if (!held) {
      logger.debug(skippedLockBusy(label, key));
      return undefined;
    }
    try {
      return await call(leaseOf('lock', held));
    } finally {
      await held.release().catch((err: unknown) => logger.warn(lockReleaseFailed(key, err)));
    }
  }
}
