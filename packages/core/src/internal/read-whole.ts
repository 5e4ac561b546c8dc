import { type IncomingHttpHeaders } from 'node:http';
import { type Dispatcher } from 'undici';

/** A whole HTTP answer: status, headers and the body decoded as UTF-8. */
export interface WholeAnswer {
  statusCode: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Sends one request through `dispatcher` and reads the whole answer into a string.
 *
 * Why not undici's `request()` + `body.text()`: every Consul answer is read whole, and `request()`
 * builds what a streamed body needs (an `AsyncResource`, a `Readable` with its state machine and
 * listeners, a consume step) for a few hundred bytes of JSON: about a tenth of a loopback KV read's
 * client CPU (bench/kv-get). A dispatch handler that appends chunks to an array does the same job.
 * It speaks undici's current handler API (`onRequestStart`...), which any dispatcher or interceptor
 * a user brings (`dispatcher` option) also understands.
 *
 * `signal` aborts the request at any point (before the answer, or mid-body); the promise then
 * rejects with the signal's reason. Timeouts are undici's `headersTimeout`/`bodyTimeout` in `options`.
 */
export function readWhole(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal | undefined,
): Promise<WholeAnswer> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<WholeAnswer>((resolve, reject) => {
    dispatcher.dispatch(options, new WholeAnswerHandler(resolve, reject, signal));
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error
    ? reason
    : new Error('The operation was aborted', { cause: reason });
}

/**
 * Collects one answer. It is also the signal's `'abort'` listener object (`handleEvent`), so an
 * aborted call needs no closure.
 */
class WholeAnswerHandler implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private statusCode = 0;
  private headers: IncomingHttpHeaders | undefined;
  private chunks: Buffer[] = [];
  private settled = false;

  constructor(
    private readonly resolve: (answer: WholeAnswer) => void,
    private readonly reject: (err: Error) => void,
    private readonly signal: AbortSignal | undefined,
  ) {
    signal?.addEventListener('abort', this, { once: true });
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    // The signal may have fired before undici had a connection to abort.
    if (this.signal?.aborted) controller.abort(abortReason(this.signal));
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
  ): void {
    // 1xx answers are informational: the real one follows.
    if (statusCode < 200) return;
    this.statusCode = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    const chunks = this.chunks;
    const text =
      chunks.length === 0
        ? ''
        : chunks.length === 1
          ? (chunks[0] as Buffer).toString('utf8')
          : Buffer.concat(chunks).toString('utf8');
    this.chunks = [];
    this.settle();
    this.resolve({ statusCode: this.statusCode, headers: this.headers ?? {}, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.chunks = [];
    this.settle();
    this.reject(error);
  }

  /** The signal's `'abort'` event. */
  handleEvent(): void {
    if (this.settled || !this.signal) return;
    const reason = abortReason(this.signal);
    if (this.controller) this.controller.abort(reason);
    else {
      // Not started yet: undici aborts at `onRequestStart`; fail the call now all the same.
      this.settle();
      this.reject(reason);
    }
  }

  private settle(): void {
    if (this.settled) return;
    this.settled = true;
    this.signal?.removeEventListener('abort', this);
  }
}
