import vm from 'node:vm';

/** Unhandled promise rejections seen by the worker process while watching. */
export interface UnhandledWatch {
  readonly reasons: unknown[];
  stop(): void;
}

/**
 * Listens for `unhandledRejection` on the worker's real `process`. Inside a jest test, `process` is
 * a sandbox copy whose listeners Node never calls; `vm.runInThisContext` evaluates in the worker's
 * main context, where the real one lives.
 */
export function watchUnhandledRejections(): UnhandledWatch {
  const real = vm.runInThisContext('process') as NodeJS.Process;
  const reasons: unknown[] = [];
  const listener = (reason: unknown) => reasons.push(reason);
  real.on('unhandledRejection', listener);
  return { reasons, stop: () => real.off('unhandledRejection', listener) };
}
