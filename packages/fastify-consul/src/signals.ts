/** Something that can be closed gracefully, e.g. a Fastify instance. */
export interface Closable {
  close(): Promise<unknown>;
}

/** Optional hooks of {@link closeOnSignals}, for logging. */
export interface SignalHooks {
  onSignal?(signal: NodeJS.Signals): void;
  onError?(err: unknown): void;
}

/**
 * Closes `target` on the first of `signals`, then re-raises the signal with the default action
 * restored, so the process ends exactly as it would have without us (exit code, parent's view).
 * A second signal during the graceful close ends the process at once. Returns a function removing
 * the listeners (called from `onClose`, so a closed app holds no process listener).
 */
export function closeOnSignals(
  target: Closable,
  signals: readonly NodeJS.Signals[],
  hooks: SignalHooks = {},
): () => void {
  let closing = false;
  const remove = () => {
    for (const signal of signals) process.removeListener(signal, handler);
  };
  const reraise = (signal: NodeJS.Signals) => {
    remove();
    process.kill(process.pid, signal);
  };
  function handler(signal: NodeJS.Signals): void {
    if (closing) {
      reraise(signal);
      return;
    }
    closing = true;
    hooks.onSignal?.(signal);
    target.close().then(
      () => reraise(signal),
      (err: unknown) => {
        hooks.onError?.(err);
        reraise(signal);
      },
    );
  }
  for (const signal of signals) process.on(signal, handler);
  return remove;
}
