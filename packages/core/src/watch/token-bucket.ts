/**
 * A token bucket that paces the success path of a watch loop (consul-semantics BQ-14): up to
 * `burst` calls go out back to back, then one more per `interval`. Normal, occasional updates are
 * delivered immediately; a result that churns degrades to one call per `interval` instead of
 * hammering the servers.
 *
 * @example
 * const bucket = new TokenBucket({ burst: 2, interval: 1000 });
 * await sleep(bucket.reserve()); // 0 for the first two calls, then up to 1000 ms
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private readonly burst: number;
  private readonly interval: number;
  private readonly now: () => number;

  constructor(options: { burst: number; interval: number; now?: () => number }) {
    this.burst = Math.max(1, options.burst);
    this.interval = Math.max(0, options.interval);
    this.now = options.now ?? (() => performance.now());
    this.tokens = this.burst;
    this.updatedAt = this.now();
  }

  /** Tokens available now (fractional while refilling; negative while callers wait). */
  get available(): number {
    this.refill();
    return this.tokens;
  }

  /**
   * Takes one token and returns how many ms the caller must wait before using it (0 when one was
   * available). Reservations queue: each one waits for its own token.
   */
  reserve(): number {
    if (this.interval === 0) return 0;
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : -this.tokens * this.interval;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = now - this.updatedAt;
    this.updatedAt = now;
    if (this.interval === 0 || elapsed <= 0) return;
    this.tokens = Math.min(this.burst, this.tokens + elapsed / this.interval);
  }
}
