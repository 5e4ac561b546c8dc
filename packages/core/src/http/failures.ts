/**
 * What counts as a failed attempt and whether repeating it elsewhere is safe.
 */

/** Methods that may be repeated without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);

/** Failures before any byte of the request left: repeating them elsewhere is safe for every method. */
const NOT_SENT = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'EADDRNOTAVAIL',
]);

/** Failures after the request may have been (partly) processed: safe to repeat only when idempotent. */
const MAYBE_SENT = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Our own pool was closed under the call (the instance left the set): not the instance's fault. */
const POOL_GONE = new Set(['UND_ERR_CLOSED', 'UND_ERR_DESTROYED']);

/** How an attempt's error should be treated. */
export interface FailureKind {
  /** The instance misbehaved (counts towards ejection). */
  instanceFault: boolean;
  /** The request never left, so any method may go to another instance. */
  notSent: boolean;
  /** Another instance might succeed. */
  retryable: boolean;
  /** Short reason for diagnostics (the error code). */
  reason: string;
}

/** Whether `method` is idempotent. */
export function isIdempotent(method: string): boolean {
  return IDEMPOTENT.has(method);
}

/** Classifies an error thrown by an undici dispatch. */
export function classifyError(err: unknown): FailureKind {
  const code =
    typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
      ? err.code
      : 'UNKNOWN';
  if (NOT_SENT.has(code))
    return { instanceFault: true, notSent: true, retryable: true, reason: code };
  if (MAYBE_SENT.has(code)) {
    return { instanceFault: true, notSent: false, retryable: true, reason: code };
  }
  if (POOL_GONE.has(code)) {
    return { instanceFault: false, notSent: false, retryable: true, reason: code };
  }
  return { instanceFault: false, notSent: false, retryable: false, reason: code };
}

/**
 * Whether a request body can be sent again: strings, buffers and absent bodies can; streams and
 * async iterables are consumed by the first attempt.
 */
export function isReplayable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    (typeof FormData !== 'undefined' && body instanceof FormData)
  );
}
