/**
 * Interop constants of the official Go client (`api/lock.go`, `api/semaphore.go`) and of
 * `consul lock`. Locks and semaphores written by either side must recognise each other's keys, so
 * these values are part of the wire contract and must never change.
 */

/** `Flags` of a lock key (Go `api.LockFlagValue`, 0x2ddccbc058a50c18). */
export const LOCK_FLAG_VALUE = 0x2ddccbc058a50c18n;

/** `Flags` of semaphore keys (Go `api.SemaphoreFlagValue`, 0xe0f69a2baa414de0). */
export const SEMAPHORE_FLAG_VALUE = 0xe0f69a2baa414de0n;

/**
 * Leaf of a semaphore's coordination key, `<prefix>/.lock`. `consul lock <prefix>` also locks
 * `<prefix>/.lock`, so a lock and a semaphore on one prefix collide detectably (different flags).
 */
export const SEMAPHORE_KEY_LEAF = '.lock';

/** Session name of locks when none is given (Go `DefaultLockSessionName`). */
export const DEFAULT_LOCK_SESSION_NAME = 'Consul API Lock';

/** Session name of semaphores when none is given (Go `DefaultSemaphoreSessionName`). */
export const DEFAULT_SEMAPHORE_SESSION_NAME = 'Consul API Semaphore';

/** Session TTL of locks and semaphores when none is given (Go default `"15s"`). */
export const DEFAULT_SESSION_TTL = '15s';

/** Longest single blocking read while waiting for a lock (Go `DefaultLockWaitTime`). */
export const DEFAULT_LOCK_WAIT_MS = 15_000;

/**
 * Longest pause after an acquire refused by a lock-delay (Go `DefaultLockRetryTime`, which Go always
 * sleeps; we start shorter and grow to this, see `lockDelayPause`).
 */
export const LOCK_RETRY_CAP_MS = 5_000;

/** Shortest and longest session TTL Consul accepts (`Invalid Session TTL` outside). */
export const MIN_SESSION_TTL_MS = 10_000;
export const MAX_SESSION_TTL_MS = 24 * 3_600_000;

/** Longest lock-delay the server honours (`structs.MaxLockDelay`). Larger values are refused here. */
export const MAX_LOCK_DELAY_MS = 60_000;

/** Pause between renewal attempts after a failed renewal (Go `RenewPeriodic` uses 1 s). */
export const RENEW_RETRY_MS = 1_000;
