/**
 * Typed errors of `@consulkit/core`. Every error has a stable `code` and a `retryable` flag that
 * says whether repeating the same call may succeed. `instanceof` works across duplicated copies of
 * this package (the classes brand themselves with `Symbol.for`).
 */

/** Stable error codes. */
export type ConsulErrorCode =
  | 'CONSUL_CONFIG'
  | 'CONSUL_ACL'
  | 'CONSUL_NOT_FOUND'
  | 'CONSUL_CONFLICT'
  | 'CONSUL_RATE_LIMIT'
  | 'CONSUL_UNAVAILABLE'
  | 'CONSUL_TIMEOUT'
  | 'CONSUL_ABORTED'
  | 'CONSUL_BAD_REQUEST'
  | 'CONSUL_PROTOCOL'
  | 'CONSUL_NO_INSTANCE'
  | 'CONSUL_LOCK'
  | 'CONSUL_TLS'
  | 'CONSUL_CLOSED'
  | 'CONSUL_CONFIG_PARSE'
  | 'CONSUL_CONFIG_INVALID';

/** Where a failed call went; never contains the ACL token. */
export interface ConsulRequestInfo {
  /** HTTP method. */
  method: string;
  /** Path and query string as sent, e.g. `/v1/kv/app/config?cas=12`. */
  path: string;
  /** The agent address that answered (or failed). */
  address?: string;
}

/** What a {@link ConsulError} is built from (for subclasses and `errorFromResponse`). */
export interface ConsulErrorOptions {
  /** The underlying error (undici's, a parser's...). */
  cause?: unknown;
  /** HTTP status Consul answered with. */
  status?: number;
  /** Consul's error text, verbatim. */
  body?: string;
  /** The call that failed (never contains the token). */
  request?: ConsulRequestInfo;
  /** Overrides the class's default `retryable`. */
  retryable?: boolean;
}

const BRAND = Symbol.for('consulkit.ConsulError');

/** Base class of every error thrown by `@consulkit/core`. */
export class ConsulError extends Error {
  /** Stable machine-readable code. */
  readonly code: ConsulErrorCode;
  /** Whether repeating the same call may succeed. */
  readonly retryable: boolean;
  /** HTTP status Consul answered with, when there was an answer. */
  readonly status: number | undefined;
  /** Consul's error text, verbatim (error bodies are plain text). */
  readonly body: string | undefined;
  /** The call that failed. */
  readonly request: ConsulRequestInfo | undefined;

  constructor(
    code: ConsulErrorCode,
    message: string,
    options: ConsulErrorOptions = {},
    retryable = false,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? retryable;
    this.status = options.status;
    this.body = options.body;
    this.request = options.request;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** Brand check on the base class, so `instanceof ConsulError` works across package copies. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ConsulError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && BRAND in value;
  }
}

/** Invalid options or arguments, detected before anything is sent. `option` names the culprit. */
export class ConsulOptionError extends ConsulError {
  /** Dotted path of the bad option, e.g. `retry.maxDelay` or `service.checks[0].interval`. */
  readonly option: string;

  constructor(option: string, expected: string, received: unknown, options?: { secret?: boolean }) {
    const shown = options?.secret ? '[redacted]' : describeValue(received);
    super('CONSUL_CONFIG', `Invalid option "${option}": expected ${expected}, received ${shown}`);
    this.option = option;
  }
}

/**
 * @deprecated Renamed {@link ConsulOptionError} (the same class); this alias goes in the next major.
 */
export const ConsulConfigError = ConsulOptionError;
/** @deprecated Renamed {@link ConsulOptionError}. */
export type ConsulConfigError = ConsulOptionError;

/** 403: the token is missing, unknown (`ACL not found`) or lacks a permission. */
export class ConsulAclError extends ConsulError {
  /** `acl-not-found` means the token itself is invalid; `permission-denied` a policy problem. */
  readonly reason: 'permission-denied' | 'acl-not-found';

  constructor(message: string, options: ConsulErrorOptions) {
    super('CONSUL_ACL', message, options, false);
    this.reason = /acl not found/i.test(options.body ?? '') ? 'acl-not-found' : 'permission-denied';
  }
}

/** 404 on an endpoint where absence is an error (unknown session, service, check). */
export class ConsulNotFoundError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions) {
    super('CONSUL_NOT_FOUND', message, options, false);
  }
}

/** 409: a transaction rolled back. `errors` lists each failed operation. */
export class ConsulConflictError extends ConsulError {
  /** Consul's `Errors`: the index of each failed operation in the transaction and why it failed. */
  readonly errors: ReadonlyArray<{ opIndex: number; what: string }>;

  constructor(
    message: string,
    options: ConsulErrorOptions & { errors?: ReadonlyArray<{ opIndex: number; what: string }> },
  ) {
    super('CONSUL_CONFLICT', message, options, false);
    this.errors = options.errors ?? [];
  }
}

/** 429 (agent RPC rate limit, per-IP connection limit, server rate limiter). Retry with backoff. */
export class ConsulRateLimitError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions) {
    super('CONSUL_RATE_LIMIT', message, options, true);
  }
}

/** Consul could not serve the call now: no leader, RPC failure, connection refused or reset. */
export class ConsulUnavailableError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions) {
    super('CONSUL_UNAVAILABLE', message, options, true);
  }
}

/** The call did not complete within its timeout. */
export class ConsulTimeoutError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions) {
    super('CONSUL_TIMEOUT', message, options, true);
  }
}

/** The caller's `AbortSignal` fired. */
export class ConsulAbortedError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions = {}) {
    super('CONSUL_ABORTED', message, options, false);
  }
}

/** Consul rejected the request as invalid (400, 405, 413, or a semantic 500 such as `invalid session`). */
export class ConsulBadRequestError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions) {
    super('CONSUL_BAD_REQUEST', message, options, false);
  }
}

/** Consul's answer could not be understood (malformed JSON, impossible index). */
export class ConsulProtocolError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions = {}) {
    super('CONSUL_PROTOCOL', message, options, false);
  }
}

/** The TLS handshake failed: unknown CA, wrong host name, expired or missing client certificate. */
export class ConsulTlsError extends ConsulError {
  constructor(message: string, options: ConsulErrorOptions) {
    super('CONSUL_TLS', message, options, false);
  }
}

/** The client (or the object that made the call) was closed. */
export class ConsulClosedError extends ConsulError {
  constructor(message = 'The Consul client is closed') {
    super('CONSUL_CLOSED', message, {}, false);
  }
}

/** No healthy, non-ejected instance of a service can take a call. `service` names it. */
export class ConsulNoInstanceError extends ConsulError {
  /** The logical service name. */
  readonly service: string;

  constructor(service: string, detail?: string) {
    const suffix = detail ? ` (${detail})` : '';
    super('CONSUL_NO_INSTANCE', `No healthy instance of service "${service}"${suffix}`, {}, true);
    this.service = service;
  }
}

/** Short, safe description of a value for error messages. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  return `${typeof value} ${String(value)}`;
}
