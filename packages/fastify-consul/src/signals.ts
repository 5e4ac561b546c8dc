/** Something that can be closed gracefully, e.g. a Fastify instance. */
export interface Closable {
  close(): Promise<unknown>;
}

/** Optional hooks of {@link closeOnSignals}. */
export interface SignalHooks {
  onSignal?(signal: NodeJS.Signals): void;
  /**
   * Runs before `close()`, while the server still serves normally: the drain, so that consumers
   * whose discovery cache still lists this instance get answers rather than Fastify's closing 503s.
   */
  beforeClose?(): Promise<void>;
  onError?(err: unknown): void;
}

/**
 * Closes `target` on the first of `signals` (after `beforeClose`), then re-raises the signal with the default action
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
    Promise.resolve()
      .then(() => hooks.beforeClose?.())
      .catch((err: unknown) => hooks.onError?.(err))
      .then(() => target.close())
      .then(
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
