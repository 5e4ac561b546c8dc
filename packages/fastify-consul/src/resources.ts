import { bounded } from './timing';

/** Something the plugin created and must end when the app closes. */
export type Closer = () => Promise<unknown> | unknown;

/**
 * What the plugin created for the app (service clients, config stores, locks, elections), closed
 * in `onClose` in reverse creation order. Needed even when the client is closed too: an adopted
 * client outlives the app, so nothing else would end them.
 */
export class OwnedResources {
  private readonly closers = new Set<Closer>();
  private readonly controller = new AbortController();

  /** Aborts when the app closes: passed to waits (lock acquisition) so none outlives it. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True once {@link closeAll} ran. */
  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  /** Tracks `closer`; returns a function that forgets it (when the resource ended on its own). */
  add(closer: Closer): () => void {
    this.closers.add(closer);
    return () => this.closers.delete(closer);
  }

  /**
   * Ends everything, each closer bounded by `timeoutMs` (releasing a lock or a session needs the
   * agent, which may be gone). Failures and timeouts go to `onError`, never thrown: shutdown goes on.
   */
  async closeAll(timeoutMs: number, onError: (err: unknown) => void): Promise<void> {
    this.controller.abort(new Error('The Fastify app is closing'));
    const closers = [...this.closers].reverse();
    this.closers.clear();
    const results = await Promise.allSettled(
      closers.map((close) => bounded(Promise.resolve().then(close), timeoutMs, 'closing')),
    );
    for (const r of results) if (r.status === 'rejected') onError(r.reason);
  }
}
