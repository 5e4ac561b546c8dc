import type { Deadline, DeadlineList } from './deadlines';

/** An `'abort'` listener as undici (or any other dispatcher) subscribes it. */
type AbortListener = (...args: unknown[]) => void;

/** Builds the error of a call whose deadline passed (only then: no closure per call). */
export interface CallTimeoutSource {
  timeoutError(method: string, path: string, timeoutMs: number): Error;
}

/** What {@link CallSignal.handOut} needs of a response body. */
interface ClosableBody {
  on(event: 'close', listener: () => void): unknown;
}

/**
 * The cancellation signal of one client call: the caller's `AbortSignal` (if any) merged with the
 * call deadline, and itself the call's node in the client's {@link DeadlineList}.
 *
 * Why not an `AbortController` or an `EventEmitter`: a controller per call costs ~20 µs on Node 20,
 * and even an emitter (its init, its listener table) was a measurable share of a pooled request
 * (bench/discovery). This object has the two surfaces undici's `request()` subscribes through —
 * `addEventListener`/`removeEventListener` (checked first) and `on`/`removeListener` — with one
 * listener slot, since one dispatch subscribes once.
 *
 * It also tells when the call is over without a listener of its own on the response body: undici
 * unsubscribes from the signal exactly when it is done with a request (the body closed, the request
 * failed, or it aborted). Once the response was handed to the caller, that unsubscription releases
 * the deadline. A dispatcher that never subscribed gets a `'close'` listener on the body instead.
 */
export class CallSignal implements Deadline {
  /** Whether the call was aborted (deadline or caller). */
  aborted = false;
  /** Why: the deadline's timeout error or the caller's abort reason. */
  reason: unknown = undefined;
  /** The deadline error when the deadline fired. */
  timeoutError: Error | undefined = undefined;
  /** A dispatcher subscribed since the last {@link dispatching} (so it will unsubscribe). */
  subscribed = false;
  /** @internal {@link Deadline} node fields. */
  at = 0;
  /** @internal */
  linked = false;
  /** @internal */
  prev: Deadline | undefined = undefined;
  /** @internal */
  next: Deadline | undefined = undefined;
  private listener: AbortListener | undefined = undefined;
  private more: AbortListener[] | undefined = undefined;
  private handedOut = false;
  private unlink: (() => void) | undefined = undefined;
  private view: AbortController | undefined = undefined;

  /**
   * @param deadlines the client's deadline list (one unref'd timer for all its calls: the socket
   *   keeps the process alive while a call is in flight, the deadline need not)
   * @param owner builds the timeout error if the deadline passes
   */
  constructor(
    private readonly deadlines: DeadlineList,
    private readonly owner: CallTimeoutSource,
    readonly method: string,
    readonly path: string,
    private readonly timeoutMs: number,
    userSignal: AbortSignal | undefined,
  ) {
    if (userSignal !== undefined) {
      if (userSignal.aborted) {
        this.abort(userSignal.reason);
        return;
      }
      const forward = () => this.abort(userSignal.reason);
      userSignal.addEventListener('abort', forward, { once: true });
      this.unlink = () => userSignal.removeEventListener('abort', forward);
    }
    if (timeoutMs > 0) deadlines.insert(this, timeoutMs);
  }

  /** Whether {@link release} still has something to do (keep it until the body is done). */
  get active(): boolean {
    return this.linked || this.unlink !== undefined;
  }

  /** EventTarget surface (what undici uses when present). Only `'abort'` is ever emitted. */
  addEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort' || typeof listener !== 'function') return;
    this.subscribed = true;
    if (this.aborted) return;
    if (this.listener === undefined && this.more === undefined) this.listener = listener;
    else (this.more ??= []).push(listener);
  }

  /** EventTarget surface. The last listener leaving a handed-out call ends the call. */
  removeEventListener(type: string, listener: AbortListener): void {
    if (type !== 'abort') return;
    if (this.listener === listener) {
      this.listener = undefined;
    } else {
      const i = this.more?.indexOf(listener) ?? -1;
      if (i < 0) return;
      this.more?.splice(i, 1);
      if (this.more?.length === 0) this.more = undefined;
    }
    if (this.handedOut && this.listener === undefined && this.more === undefined) this.release();
  }

  /** EventEmitter surface (`'abort'` fires at most once, so `once` is `on`). */
  on(type: string, listener: AbortListener): this {
    this.addEventListener(type, listener);
    return this;
  }

  /** EventEmitter surface. */
  addListener(type: string, listener: AbortListener): this {
    this.addEventListener(type, listener);
    return this;
  }

  /** EventEmitter surface. */
  once(type: string, listener: AbortListener): this {
    this.addEventListener(type, listener);
    return this;
  }

  /** EventEmitter surface. */
  removeListener(type: string, listener: AbortListener): this {
    this.removeEventListener(type, listener);
    return this;
  }

  /** EventEmitter surface. */
  off(type: string, listener: AbortListener): this {
    this.removeEventListener(type, listener);
    return this;
  }

  /** AbortSignal surface. */
  throwIfAborted(): void {
    if (this.aborted) throw this.reason;
  }

  /** An `AbortSignal` view, for APIs that need a real one (waiting for the first instances). */
  toAbortSignal(): AbortSignal {
    if (this.view === undefined) {
      this.view = new AbortController();
      if (this.aborted) this.view.abort(this.reason);
    }
    return this.view.signal;
  }

  /** An attempt is about to be dispatched with this signal. */
  dispatching(): void {
    this.subscribed = false;
  }

  /**
   * The response goes to the caller; the deadline keeps covering its body. Released when the
   * dispatcher unsubscribes (undici: when the body closes), or on the body's `'close'` for
   * dispatchers that never subscribed.
   */
  handOut(body: ClosableBody): void {
    if (!this.active) return;
    this.handedOut = true;
    if (this.listener !== undefined || this.more !== undefined) return;
    if (this.subscribed) this.release();
    else body.on('close', () => this.release());
  }

  /** Stops the deadline and detaches from the caller's signal. Idempotent. */
  release(): void {
    if (this.linked) this.deadlines.remove(this);
    if (this.unlink !== undefined) {
      this.unlink();
      this.unlink = undefined;
    }
  }

  /** @internal The deadline passed ({@link DeadlineList} calls it). */
  onDeadline(): void {
    this.timeoutError = this.owner.timeoutError(this.method, this.path, this.timeoutMs);
    this.abort(this.timeoutError);
  }

  private abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    this.release();
    this.view?.abort(reason);
    const first = this.listener;
    const more = this.more;
    this.listener = undefined;
    this.more = undefined;
    if (first === undefined && more === undefined) return;
    const event = { type: 'abort', target: this };
    first?.call(this, event);
    if (more !== undefined) for (const listener of more) listener.call(this, event);
  }
}
