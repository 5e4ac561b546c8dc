import { performance } from 'node:perf_hooks';

/**
 * A node of a {@link DeadlineList}. Callers on a hot path make their own per-call object a node
 * (`ServiceClient`'s call signal is one), so a deadline costs no allocation and no closure.
 */
export interface Deadline {
  /** `performance.now()` time at which it expires (set by {@link DeadlineList.insert}). */
  at: number;
  /** Whether it is pending in a list (cleared when it fires or is removed). */
  linked: boolean;
  prev: Deadline | undefined;
  next: Deadline | undefined;
  /** Called once when the deadline passes, after it left the list. */
  onDeadline(): void;
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
    const entry: Deadline = {
      at: 0,
      linked: false,
      prev: undefined,
      next: undefined,
      onDeadline: fire,
    };
    this.insert(entry, ms);
    return entry;
  }

  /** Links `entry` to expire `ms` from now (its `onDeadline` runs then, unless removed first). */
  insert(entry: Deadline, ms: number): void {
    entry.at = performance.now() + ms;
    entry.linked = true;
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
  }

  /** Cancels a deadline (no-op when it already fired or was removed). */
  remove(entry: Deadline): void {
    if (!entry.linked) return;
    entry.linked = false;
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
      this.remove(entry);
      try {
        entry.onDeadline();
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
