import { type Duration, type LeaderOptions, type LockOptions } from '@consulkit/core';

/** Options of `@WithLock(key, options)`: core's lock options plus how long to wait for it. */
export interface WithLockOptions extends LockOptions {
  /**
   * How long to wait for the lock before skipping the call. Default `'1s'`. A lock seen held by
   * another process is skipped at once, without waiting.
   */
  wait?: Duration;
}

/** The coordination of one method, as stored in method metadata (a list: decorators stack). */
export type CoordinationMetadata =
  | { kind: 'leader'; key: string; options: LeaderOptions }
  | { kind: 'lock'; key: string; options: WithLockOptions };
