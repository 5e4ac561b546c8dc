/** Something the module created and must end when the app shuts down. */
export type Closer = () => Promise<unknown> | unknown;

/**
 * What the module created for the app (service clients, config stores, locks, elections), closed
 * in `onApplicationShutdown` in reverse creation order. Needed even when the client is closed too:
 * an adopted client outlives the app, so nothing else would end them.
 */
export class OwnedResources {
  private readonly closers = new Set<Closer>();
  private readonly controller = new AbortController();

  /** Aborts when the app shuts down: passed to waits (lock acquisition) so none outlives it. */
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

  /** Ends everything; failures are handed to `onError`, never thrown (shutdown must go on). */
  async closeAll(onError: (err: unknown) => void): Promise<void> {
    this.controller.abort(new Error('The Nest application is shutting down'));
    const closers = [...this.closers].reverse();
    this.closers.clear();
    const results = await Promise.allSettled(closers.map(async (close) => close()));
    for (const r of results) if (r.status === 'rejected') onError(r.reason);
  }
}
