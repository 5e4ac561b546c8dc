import { type IncomingHttpHeaders } from 'node:http';
import { type ConnectionOptions } from 'node:tls';
import { Pool, type Dispatcher } from 'undici';
import { type ResolvedConsulConfig, type ResolvedEndpoint } from './client-options';
import { formatGoDuration, toMillis } from './duration';
import {
  ConsulAbortedError,
  ConsulClosedError,
  ConsulOptionError,
  ConsulError,
  type ConsulRequestInfo,
  ConsulTimeoutError,
  ConsulTlsError,
  ConsulUnavailableError,
} from './errors';
import { backoffDelay, sleep } from './internal/backoff';
import { clientCertificateCause, errorFromResponse } from './internal/classify';
import { stringifyConsulJson } from './internal/json';
import { Limiter } from './internal/limiter';
import { readWhole } from './internal/read-whole';
import { readTlsAlert } from './internal/tls-alert';
import { type CallOptions, type QueryMeta, type QueryOptions, type WriteOptions } from './query';

/** A query-string value: `true` is a presence flag (`?stale`), `false`/`undefined` are omitted. */
export type QueryValue = string | number | bigint | boolean | undefined | readonly string[];

/** One call to the Consul HTTP API, as the endpoint groups describe it. */
export interface ConsulRequest {
  /** HTTP method; Consul answers 405 to a wrong one. */
  method: 'GET' | 'PUT' | 'POST' | 'DELETE';
  /** Path below the agent address, already URL-encoded, e.g. `/v1/kv/app%20a/b`. */
  path: string;
  /** Query parameters (encoded here); `dc`, `ns`, `partition`, read options come from `options`. */
  query?: Readonly<Record<string, QueryValue>>;
  /** JSON body (bigints are written as JSON numbers). */
  json?: unknown;
  /** Raw body (KV values), sent as `application/octet-stream`. */
  raw?: string | Uint8Array;
  /** Per-call options: signal, token, dc, and for reads the blocking/consistency options. */
  options?: QueryOptions | WriteOptions | CallOptions;
  /** May the call be repeated after an ambiguous failure? Default: true for GET. */
  idempotent?: boolean;
  /** Statuses returned to the caller instead of thrown (e.g. 404 for "no such key"). */
  allowStatus?: readonly number[];
}

/** Consul's answer: status, headers, body text and the parsed metadata. */
export interface ConsulResponse {
  /** HTTP status (2xx, or one listed in `allowStatus`). */
  status: number;
  /** Response headers, names lower-cased. */
  headers: IncomingHttpHeaders;
  /** The body as text: JSON on success (bigint-safe parsing needed where `Flags` appear). */
  text: string;
  /** Index, leader contact and cache state read from the headers. */
  meta: QueryMeta;
  /** The call this answers, for errors about the answer (never holds the token). */
  request?: ConsulRequestInfo;
}

const CONNECT_FAILURES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOENT', // unix socket missing
  'UND_ERR_CONNECT_TIMEOUT',
]);
const BROKEN_CONNECTION = new Set([
  'ECONNRESET',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNABORTED',
]);
const TLS_FAILURE =
  /^(?:CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL)/;
const DEFAULT_WAIT_MS = 60_000;
/** Bound of the handshake that reads why an agent closed a TLS connection (see readTlsAlert). */
const TLS_ALERT_TIMEOUT_MS = 5_000;

/** A call ready to send: built once, reused by every attempt. */
interface Built {
  request: ConsulRequest;
  blocking: boolean;
  pathAndQuery: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
  budget: number;
}

/**
 * The one place that talks HTTP to Consul: keep-alive pools per agent address, token and default
 * query parameters, timeouts derived from `wait`, typed errors, address failover and jittered retries
 * of idempotent calls. Endpoint groups describe calls; this sends them.
 */
export class Transport {
  private readonly pools = new Map<ResolvedEndpoint, Dispatcher>();
  private readonly longPolls: Limiter;
  private current = 0;
  private closed = false;

  constructor(readonly config: ResolvedConsulConfig) {
    this.longPolls = new Limiter(config.maxLongPolls);
  }

  /** The address calls currently go to. */
  get activeAddress(): string {
    return (this.config.endpoints[this.current] as ResolvedEndpoint).display;
  }

  /** Long polls running, and waiting for a slot. */
  get longPollStats(): { active: number; queued: number } {
    return { active: this.longPolls.inUse, queued: this.longPolls.queued };
  }

  /** Sends a call with failover and retries; rejects with a typed {@link ConsulError}. */
  send(request: ConsulRequest): Promise<ConsulResponse> {
    if (this.closed) return Promise.reject(new ConsulClosedError());
    const options = (request.options ?? {}) as QueryOptions;
    const blocking = options.index !== undefined && options.index > 0;
    // The hot path (every plain read and write): no long-poll slot, no extra async frame.
    if (!blocking) return this.sendWithRetries(request, options, false);
    return this.sendBlocking(request, options);
  }

  /** Ends every pool this transport created (a user-supplied dispatcher is left open). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    if (this.config.dispatcher) return;
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }

  private async sendBlocking(
    request: ConsulRequest,
    options: QueryOptions,
  ): Promise<ConsulResponse> {
    const release = await this.acquireLongPoll(options.signal);
    try {
      return await this.sendWithRetries(request, options, true);
    } finally {
      release();
    }
  }

  private async acquireLongPoll(signal: AbortSignal | undefined): Promise<() => void> {
    try {
      return await this.longPolls.acquire(signal);
    } catch (err) {
      throw new ConsulAbortedError('Blocking query aborted while waiting for a slot', {
        cause: err,
      });
    }
  }

  // The hot path: a bad option from `build` rejects like an attempt would, and the call's only
  // async frame is `call`.
  private sendWithRetries(
    request: ConsulRequest,
    options: QueryOptions,
    blocking: boolean,
  ): Promise<ConsulResponse> {
    let built: Built;
    try {
      built = this.build(request, options, blocking);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.call(built, options);
  }

  // Runs once per call (not per attempt): plain string building, no closures or arrays unless an
  // option asks for them.
  private build(request: ConsulRequest, options: QueryOptions, blocking: boolean): Built {
    let search = '';
    const query = request.query;
    if (query) for (const key in query) search = addParam(search, key, query[key]);
    search = addParam(search, 'dc', options.dc ?? this.config.datacenter);
    search = addParam(search, 'ns', options.ns ?? this.config.namespace);
    search = addParam(search, 'partition', options.partition ?? this.config.partition);
    if (options.stale && options.consistent) {
      throw new ConsulOptionError('consistent', 'not combined with stale', true);
    }
    if (options.cached && options.consistent) {
      throw new ConsulOptionError('consistent', 'not combined with cached', true);
    }
    search = addParam(search, 'stale', options.stale);
    search = addParam(search, 'consistent', options.consistent);
    search = addParam(search, 'cached', options.cached);
    search = addParam(search, 'filter', options.filter);
    search = addParam(search, 'near', options.near);
    if (options.nodeMeta) {
      for (const [k, v] of Object.entries(options.nodeMeta)) {
        search = addParam(search, 'node-meta', `${k}:${v}`);
      }
    }
    let waitMs = 0;
    if (blocking) {
      waitMs = options.wait === undefined ? DEFAULT_WAIT_MS : toMillis(options.wait, 'wait');
      if (waitMs <= 0) throw new ConsulOptionError('wait', 'a positive duration', options.wait);
      search = addParam(search, 'index', options.index);
      search = addParam(search, 'wait', formatGoDuration(waitMs));
    }
    const pathAndQuery = search ? `${request.path}?${search.slice(1)}` : request.path;

    const headers: Record<string, string> = {};
    const token = options.token ?? this.config.token;
    if (token) headers['x-consul-token'] = token;
    if (this.config.basicAuth) headers.authorization = this.config.basicAuth;
    if (options.maxAge !== undefined || options.staleIfError !== undefined) {
      headers['cache-control'] = cacheControl(options);
    }
    let body: string | Uint8Array | undefined;
    if (request.raw !== undefined) {
      body = request.raw;
      headers['content-type'] = 'application/octet-stream';
    } else if (request.json !== undefined) {
      body = stringifyConsulJson(request.json);
      headers['content-type'] = 'application/json';
    }
    const timeoutMs =
      options.timeout === undefined ? this.config.timeoutMs : toMillis(options.timeout, 'timeout');
    // Consul adds up to wait/16 of jitter; undici must not give up before the server answers.
    const budget = blocking ? waitMs + waitMs / 16 + timeoutMs : timeoutMs;
    return { request, blocking, pathAndQuery, headers, body, budget };
  }

  /**
   * Sends a built call until it succeeds or must fail, in one loop: fails over to the next address on
   * connection failures (nothing reached the agent, so any call may be repeated), then repeats
   * retryable failures of repeatable calls with backoff.
   *
   * The first attempt is the KV read hot path (benchmarked against raw undici): the whole call is
   * this one async frame, and a success allocates nothing for the retry — `failure` is a typed
   * local set only by a failed attempt, and the retry counters are plain numbers.
   */
  private async call(built: Built, options: QueryOptions): Promise<ConsulResponse> {
    const { request } = built;
    const endpoints = this.config.endpoints;
    let index = this.current;
    /** Addresses tried since the last backoff pause. */
    let tried = 1;
    /** Backoff pauses so far. */
    let retried = 0;
    for (;;) {
      const endpoint = endpoints[index] as ResolvedEndpoint;
      const info: ConsulRequestInfo = {
        method: request.method,
        path: built.pathAndQuery,
        address: endpoint.display,
      };
      const started = performance.now();
      let failure: ConsulError;
      try {
        const answer = await readWhole(
          this.dispatcherFor(endpoint),
          {
            origin: endpoint.origin,
            path: endpoint.basePath + built.pathAndQuery,
            method: request.method,
            headers: built.headers,
            body: built.body,
            headersTimeout: built.budget,
            bodyTimeout: built.budget,
          },
          options.signal,
        );
        const status = answer.statusCode;
        if ((status >= 200 && status < 300) || request.allowStatus?.includes(status)) {
          return {
            status,
            headers: answer.headers,
            text: answer.text,
            meta: parseMeta(answer.headers, performance.now() - started),
            request: info,
          };
        }
        failure = errorFromResponse(status, answer.text, info);
      } catch (err) {
        failure = this.transportError(err, info, options.signal);
        failure = await this.clientCertificateRefusal(err, failure, endpoint, info);
      }
      if (failure instanceof ConsulUnavailableError && isConnectFailure(failure)) {
        if (endpoints.length > 1) {
          this.current = (index + 1) % endpoints.length;
          this.config.logger.warn(`Consul agent ${endpoint.display} refused the connection`, {
            next: this.activeAddress,
          });
        }
        if (tried < endpoints.length) {
          index = this.current;
          tried++;
          continue;
        }
      }
      await this.pauseBeforeRetry(failure, built, options, retried);
      retried++;
      index = this.current;
      tried = 1;
    }
  }

  /**
   * Throws `failure` unless the call may be repeated (a retryable failure of an idempotent call, or
   * a refused connection) and retries are left; otherwise waits the backoff delay.
   */
  private async pauseBeforeRetry(
    failure: ConsulError,
    built: Built,
    options: QueryOptions,
    retried: number,
  ): Promise<void> {
    const { request } = built;
    // A blocking query is not repeated here: its caller (a watch) must re-read with a fresh index,
    // since a retry with the held index can wait a full `wait` after an agent restart.
    const retries = built.blocking ? 0 : this.config.retry.retries;
    const repeatable =
      (request.idempotent ?? request.method === 'GET') || isConnectFailure(failure);
    if (!failure.retryable || !repeatable || retried >= retries || this.closed) throw failure;
    const delay = backoffDelay(retried, this.config.retry.minDelayMs, this.config.retry.maxDelayMs);
    this.config.logger.debug('Retrying Consul call', {
      method: request.method,
      path: request.path,
      attempt: retried + 1,
      delayMs: Math.round(delay),
      error: failure.code,
    });
    try {
      await sleep(delay, options.signal);
    } catch (err) {
      throw new ConsulAbortedError(`Consul ${request.method} ${request.path} aborted`, {
        cause: err,
      });
    }
  }

  private dispatcherFor(endpoint: ResolvedEndpoint): Dispatcher {
    if (this.config.dispatcher) return this.config.dispatcher;
    let pool = this.pools.get(endpoint);
    if (!pool) {
      pool = new Pool(endpoint.origin, {
        connections: this.config.connections,
        socketPath: endpoint.socketPath,
        connect: endpoint.secure ? this.tlsOptions() : undefined,
      });
      this.pools.set(endpoint, pool);
    }
    return pool;
  }

  /** The TLS options of every connection to a secure endpoint. */
  private tlsOptions(): ConnectionOptions {
    const { tls } = this.config;
    return {
      ca: tls.ca,
      cert: tls.cert,
      key: tls.key,
      servername: tls.servername,
      rejectUnauthorized: tls.rejectUnauthorized,
    };
  }

  /**
   * `failure` as a {@link ConsulTlsError} when the secure connection behind it was closed before
   * any answer because the agent requires or refused the client certificate (see
   * {@link readTlsAlert}); otherwise `failure` unchanged.
   */
  private async clientCertificateRefusal(
    err: unknown,
    failure: ConsulError,
    endpoint: ResolvedEndpoint,
    request: ConsulRequestInfo,
  ): Promise<ConsulError> {
    const closedBeforeAnswer =
      errorCode(err) === 'UND_ERR_SOCKET' &&
      (err as { socket?: { bytesRead?: number } }).socket?.bytesRead === 0;
    if (!endpoint.secure || this.config.dispatcher || this.closed || !closedBeforeAnswer) {
      return failure;
    }
    const origin = new URL(endpoint.origin);
    const alert = await readTlsAlert(
      endpoint.socketPath !== undefined
        ? { ...this.tlsOptions(), path: endpoint.socketPath }
        : { ...this.tlsOptions(), host: origin.hostname, port: Number(origin.port || 443) },
      TLS_ALERT_TIMEOUT_MS,
    );
    const code = alert?.code ?? '';
    const cause = clientCertificateCause(code, this.config.tls.cert !== undefined);
    if (alert === undefined || cause === undefined) return failure;
    const where = `Consul ${request.method} ${request.path} at ${request.address}`;
    return new ConsulTlsError(`${where}: ${cause} (${code})`, {
      cause: alert,
      request,
    });
  }

  private transportError(
    err: unknown,
    request: ConsulRequestInfo,
    signal: AbortSignal | undefined,
  ): ConsulError {
    if (err instanceof ConsulError) return err;
    const where = `Consul ${request.method} ${request.path} at ${request.address}`;
    if (signal?.aborted) return new ConsulAbortedError(`${where} aborted`, { cause: err, request });
    if (this.closed) return new ConsulClosedError(`${where}: the client is closed`);
    const code = errorCode(err);
    const message = err instanceof Error ? err.message : String(err);
    if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new ConsulTimeoutError(`${where} timed out (${message})`, { cause: err, request });
    }
    if (TLS_FAILURE.test(code)) {
      const cause =
        clientCertificateCause(code, this.config.tls.cert !== undefined) ?? 'TLS handshake failed';
      return new ConsulTlsError(`${where}: ${cause} (${code}: ${message.trim()})`, {
        cause: err,
        request,
      });
    }
    if (CONNECT_FAILURES.has(code)) {
      return Object.assign(
        new ConsulUnavailableError(`${where}: cannot connect (${code})`, { cause: err, request }),
        { connectFailure: true },
      );
    }
    if (BROKEN_CONNECTION.has(code)) {
      return new ConsulUnavailableError(`${where}: connection broken (${code})`, {
        cause: err,
        request,
      });
    }
    return new ConsulUnavailableError(`${where} failed: ${message}`, { cause: err, request });
  }
}

/** Appends `&key=value` (or `&key` for `true`) to a query string; skips `undefined`/`false`. */
function addParam(search: string, key: string, value: QueryValue): string {
  if (value === undefined || value === false) return search;
  if (Array.isArray(value)) {
    let out = search;
    for (const v of value as readonly string[]) out += `&${key}=${encodeURIComponent(v)}`;
    return out;
  }
  return value === true
    ? `${search}&${key}`
    : `${search}&${key}=${encodeURIComponent(String(value))}`;
}

/** The `Cache-Control` header of a `cached` read with `maxAge` and/or `staleIfError`. */
function cacheControl(options: QueryOptions): string {
  const parts: string[] = [];
  if (options.maxAge !== undefined) {
    parts.push(`max-age=${Math.floor(toMillis(options.maxAge, 'maxAge') / 1000)}`);
  }
  if (options.staleIfError !== undefined) {
    parts.push(
      `stale-if-error=${Math.floor(toMillis(options.staleIfError, 'staleIfError') / 1000)}`,
    );
  }
  return parts.join(', ');
}

function isConnectFailure(err: ConsulError): boolean {
  return (err as ConsulError & { connectFailure?: boolean }).connectFailure === true;
}

function errorCode(err: unknown): string {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_SOCKET') return code;
    if (typeof code === 'string' && !(current as { cause?: unknown }).cause) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return (err as { code?: string }).code ?? '';
}

/** Reads Consul's response headers (undici lower-cases names). */
export function parseMeta(headers: IncomingHttpHeaders, requestTime = 0): QueryMeta {
  const index = headerNumber(headers['x-consul-index']);
  const cache = headers['x-cache'];
  return {
    index: index ?? 0,
    knownLeader:
      headers['x-consul-knownleader'] === undefined
        ? undefined
        : headers['x-consul-knownleader'] === 'true',
    lastContact: headerNumber(headers['x-consul-lastcontact']),
    cacheHit: cache === undefined ? undefined : cache === 'HIT',
    cacheAge: headerNumber(headers.age),
    effectiveConsistency: headerString(headers['x-consul-effective-consistency']),
    requestTime,
  };
}

function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function headerNumber(value: string | string[] | undefined): number | undefined {
  const text = headerString(value);
  if (text === undefined || !isDigits(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : Number.MAX_SAFE_INTEGER;
}

// `/^\d+$/` without the regex machinery: read on every answer's headers.
function isDigits(text: string): boolean {
  if (text.length === 0) return false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}
