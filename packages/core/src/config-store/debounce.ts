/**
 * A trailing debounce with a ceiling: `trigger()` (re)starts a quiet timer of `waitMs`; `fn` runs
 * when no trigger came for `waitMs`, or at the latest `maxMs` after the first trigger of a burst, so
 * a never-ending stream of writes still publishes now and then. Timers are unref'd: a pending
 * debounce never keeps the process alive.
 */
export class Debouncer {
  private quietTimer: NodeJS.Timeout | undefined;
  private ceilingTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly waitMs: number,
    private readonly maxMs: number,
    private readonly fn: () => void,
  ) {}

  /** Schedules `fn` (or pushes a scheduled run back, up to the ceiling). */
  trigger(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.fire(), this.waitMs);
    this.quietTimer.unref();
    if (!this.ceilingTimer && this.maxMs > this.waitMs) {
      this.ceilingTimer = setTimeout(() => this.fire(), this.maxMs);
      this.ceilingTimer.unref();
    }
  }

  /** Drops a scheduled run. */
  cancel(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.ceilingTimer) clearTimeout(this.ceilingTimer);
    this.quietTimer = undefined;
    this.ceilingTimer = undefined;
  }

  private fire(): void {
    this.cancel();
    this.fn();
  }
}
