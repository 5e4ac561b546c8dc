export {
  LOCK_FLAG_VALUE,
  SEMAPHORE_FLAG_VALUE,
  SEMAPHORE_KEY_LEAF,
  DEFAULT_LOCK_SESSION_NAME,
  DEFAULT_SEMAPHORE_SESSION_NAME,
} from './constants';
export { ConsulLockError } from './errors';
export type { ConsulLockErrorReason } from './errors';
export { ManagedSession } from './managed-session';
export { LIVENESS_SERVICE_NAME } from './liveness-check';
export type { ManagedSessionOptions, ManagedSessionEvents } from './managed-session';
export { SessionGroup } from './session-group';
export { Lock } from './lock';
export type { LockOptions, HeldLock } from './lock';
export type { AcquireOptions } from './signals';
export { goLockKey } from './validate';
export { LeaderElection } from './leader';
export type { LeaderOptions, LeaderEvents, LeaderInfo } from './leader';
export { Semaphore } from './semaphore';
export type { SemaphoreOptions, HeldSemaphore } from './semaphore';
