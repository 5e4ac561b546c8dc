import { performance } from 'node:perf_hooks';

/** A pending deadline of a {@link DeadlineList}. */
export interface Deadline {
  /** `performance.now()` time at which it expires. */
  readonly at: number;
  /** Set while pending; cleared when it fires or is removed. */
  fire: (() => void) | undefined;
  prev: Deadline | undefined;
  next: Deadline | undefined;
}

/**
 * The deadlines of one client's calls, kept in expiry order under a single unref'd timer.
 *
 * Why not one `setTimeout` per call: a Node timer per call (object, libuv clock read, ref/unref
 * toggles, list unlinking) costs several hundred ns, a measurable share of a ~40 µs pooled request
 * (bench/discovery). Here a call's deadline is an append (the timeouts of a client are nearly always
 * equal, so new deadlines go last) and a removal is an unlink; the timer is re-armed only when it
 * fires or an earlier deadline arrives, so under steady traffic it fires about once per timeout.
 */
export class DeadlineList {
  private head: Deadline | undefined;
  private tail: Deadline | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** When the armed timer fires (`Infinity` when none is armed). */
  private timerAt = Infinity;

  /** Calls `fire` once `ms` from now, unless {@link remove}d first. */
  add(ms: number, fire: () => void): Deadline {
    const entry: Deadline = { at: performance.now() + ms, fire, prev: undefined, next: undefined };
    // Walk back past later deadlines (none when every call uses the same timeout).
    let after = this.tail;
    while (after !== undefined && after.at > entry.at) after = after.prev;
    entry.prev = after;
    entry.next = after === undefined ? this.head : after.next;
    if (after === undefined) this.head = entry;
    else after.next = entry;
    if (entry.next === undefined) this.tail = entry;
    else entry.next.prev = entry;
    if (entry.at < this.timerAt) this.arm(entry.at);
    return entry;
  }

  /** Cancels a deadline (no-op when it already fired or was removed). */
  remove(entry: Deadline): void {
    if (entry.fire === undefined) return;
    entry.fire = undefined;
    const { prev, next } = entry;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    entry.prev = undefined;
    entry.next = undefined;
  }

  /** Pending deadlines (for tests and diagnostics). */
  get size(): number {
    let n = 0;
    for (let e = this.head; e !== undefined; e = e.next) n++;
    return n;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.timerAt = at;
    // +1: Node rounds timer delays to whole ms; never wake before the head is due.
    this.timer = setTimeout(this.expire, Math.max(0, at - performance.now()) + 1);
    this.timer.unref();
  }

  private readonly expire = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    while (this.head !== undefined && this.head.at <= now) {
      const entry = this.head;
      const fire = entry.fire as () => void;
      this.remove(entry);
      try {
        fire();
      } catch (err) {
        // Keep expiring the others; the error stays uncaught, as from a plain timer.
        process.nextTick(() => {
          throw err;
        });
      }
    }
    if (this.head !== undefined && this.timer === undefined) this.arm(this.head.at);
  };
}
