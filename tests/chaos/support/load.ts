/** A bounded load generator: a fixed number of calls, a fixed concurrency, a hard time limit. */

/** One action to run once, when `after` calls have been started. */
export interface LoadEvent {
  after: number;
  run: () => Promise<void>;
}

export interface LoadOptions {
  /** Calls to send (a minimum when `until` is given). */
  total: number;
  /** Keep sending past `total` until this returns true (still bounded by `maxMs`). */
  until?: () => boolean;
  /** Calls in flight at once. */
  concurrency: number;
  /** One call; resolves with a label (e.g. which backend answered) or throws. */
  send: (n: number) => Promise<string>;
  /** Actions to run mid-run (not awaited by the workers: calls keep flowing meanwhile). */
  events?: readonly LoadEvent[];
  /** Workers stop starting calls after this long (the run is then short of `total`). */
  maxMs: number;
  /** Pause between two calls of one worker (spreads a run over a fault). */
  pauseMs?: number;
}

export interface LoadResult {
  sent: number;
  failed: number;
  failures: unknown[];
  /** Answers per label. */
  labels: Map<string, number>;
  ms: number;
}

/** Runs the load; mid-run events are awaited before it resolves. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { total, concurrency, send, maxMs, pauseMs = 0, until } = options;
  const events = [...(options.events ?? [])].sort((a, b) => a.after - b.after);
  const fired: Promise<void>[] = [];
  const labels = new Map<string, number>();
  const failures: unknown[] = [];
  const started = performance.now();
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (
      (next < total || (until !== undefined && !until())) &&
      performance.now() - started < maxMs
    ) {
      const n = next++;
      while (events.length > 0 && (events[0] as LoadEvent).after <= n) {
        fired.push((events.shift() as LoadEvent).run());
      }
      sent++;
      try {
        const label = await send(n);
        labels.set(label, (labels.get(label) ?? 0) + 1);
      } catch (err) {
        failures.push(err);
      }
      if (pauseMs > 0) await new Promise((r) => setTimeout(r, pauseMs));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  await Promise.all(fired);
  return {
    sent,
    failed: failures.length,
    failures,
    labels,
    ms: Math.round(performance.now() - started),
  };
}

/** A short description of the first failures, for assertion messages. */
export function describeFailures(failures: readonly unknown[], max = 5): string {
  return failures
    .slice(0, max)
    .map((f) => (f instanceof Error ? `${f.name}: ${f.message}` : String(f)))
    .join('\n');
}
