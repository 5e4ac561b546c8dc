import { delay } from './wait';

/** One successful read of the catalog: when it was sent, which instance IDs it listed. */
export interface CatalogSample {
  /** `performance.now()` taken just before the request is made. */
  sentAt: number;
  /** `performance.now()` once the answer was read. */
  answeredAt: number;
  /** IDs listed by the read. */
  ids: ReadonlySet<string>;
}

/** A read that failed: it proves nothing about the catalog, so it is counted, not ignored. */
export interface FailedSample {
  sentAt: number;
  error: unknown;
}

/** Reads the catalog in a loop until stopped (bounded by `maxSamples`). */
export interface CatalogSampler {
  readonly samples: readonly CatalogSample[];
  readonly failed: readonly FailedSample[];
  /** Successful samples sent strictly after `instant`. */
  after(instant: number): CatalogSample[];
  /** Ends the loop and waits for the read in flight. */
  stop(): Promise<void>;
}

/**
 * Starts reading with `read` (one call → the IDs it lists), `pauseMs` between the end of one read
 * and the start of the next, at most `maxSamples` reads.
 */
export function sampleCatalog(
  read: () => Promise<Iterable<string>>,
  options: { pauseMs: number; maxSamples: number },
): CatalogSampler {
  const samples: CatalogSample[] = [];
  const failed: FailedSample[] = [];
  let running = true;
  const loop = (async () => {
    for (let i = 0; running && i < options.maxSamples; i++) {
      const sentAt = performance.now();
      try {
        const ids = new Set(await read());
        samples.push({ sentAt, answeredAt: performance.now(), ids });
      } catch (error) {
        failed.push({ sentAt, error });
      }
      await delay(options.pauseMs);
    }
  })();
  return {
    samples,
    failed,
    after: (instant) => samples.filter((s) => s.sentAt > instant),
    stop: async () => {
      running = false;
      await loop;
    },
  };
}
