import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { type Dispatcher } from 'undici';
import { type Duration, toMillis, toTimerMillis } from './duration';
import { ConsulOptionError } from './errors';
import { defaultLogger, type ConsulLogger } from './logger';
import { validateKnownOptions, optionKeys } from './models/validate';

/** TLS settings for HTTPS agents. PEM contents or file paths. */
export interface ConsulTlsOptions {
  /** CA certificate(s) (PEM) to verify the agent. Default `CONSUL_CACERT`, then `CONSUL_CAPATH`. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Path of a CA file (PEM), read at construction. Ignored when `ca` is given. */
  caFile?: string;
  /** Client certificate (PEM) for mutual TLS; needs `key`. Default: `CONSUL_CLIENT_CERT` (path). */
  cert?: string | Buffer;
  /** Path of the client certificate (PEM), read at construction. Ignored when `cert` is given. */
  certFile?: string;
  /** Client key (PEM); requires `cert`. Default `CONSUL_CLIENT_KEY` (a path). */
  key?: string | Buffer;
  /** Path of the client key (PEM), read at construction. Ignored when `key` is given. */
  keyFile?: string;
  /** Name to verify the agent's certificate against (SNI). Default `CONSUL_TLS_SERVER_NAME`. */
  servername?: string;
  /** Verify the agent's certificate. Default `true`, or `CONSUL_HTTP_SSL_VERIFY`; `false` warns. */
  rejectUnauthorized?: boolean;
}

/** Retry policy for retryable failures of idempotent calls (jittered exponential backoff). */
export interface ConsulRetryOptions {
  /** How many times a failed call is repeated. Default 3. */
  retries?: number;
  /** First backoff delay. Default 100 ms. */
  minDelay?: Duration;
  /** Longest backoff delay. Default 2 s. */
  maxDelay?: Duration;
}

/** Options of `new Consul(options)`. Every field is optional; unset fields come from the environment. */
export interface ConsulOptions {
  /**
   * Agent address: `host:port`, `http(s)://host:port[/prefix]` or `unix:///path/to.sock`. A list is
   * tried in order when a connection fails. Default `CONSUL_HTTP_ADDR`, else `127.0.0.1:8500`.
   */
  address?: string | readonly string[];
  /** ACL token sent as `X-Consul-Token`. Default `CONSUL_HTTP_TOKEN`. Never logged. */
  token?: string;
  /** File holding the ACL token (read once at construction). Default `CONSUL_HTTP_TOKEN_FILE`. */
  tokenFile?: string;
  /** Datacenter for every call (`dc=`). Default: the agent's own. */
  datacenter?: string;
  /** Enterprise namespace (`ns=`). Default `CONSUL_NAMESPACE`. */
  namespace?: string;
  /** Enterprise admin partition (`partition=`). Default `CONSUL_PARTITION`. */
  partition?: string;
  /**
   * HTTPS settings. `true` or an object switches every address to HTTPS (an `http://` address does
   * not downgrade it); unset fields come from `CONSUL_HTTP_SSL`, `CONSUL_CACERT`... Default: HTTPS
   * only for `https://` addresses, or for all when `CONSUL_HTTP_SSL` is true. `false`: HTTPS only
   * for `https://` addresses, whatever `CONSUL_HTTP_SSL` says.
   */
  tls?: ConsulTlsOptions | boolean;
  /** Timeout of a non-blocking call. Blocking queries get `wait + wait/16 + timeout`. Default 10 s. */
  timeout?: Duration;
  /**
   * Retry policy of retryable failures of idempotent calls, or `false` to never retry. Default
   * `{ retries: 3, minDelay: 100, maxDelay: 2000 }`.
   */
  retry?: ConsulRetryOptions | false;
  /** Where diagnostics go. Default: warnings through `process.emitWarning`. */
  logger?: ConsulLogger;
  /** Bring your own undici dispatcher (e.g. an `Agent` with interceptors). Not closed by `close()`. */
  dispatcher?: Dispatcher;
  /** Connections per agent address. Default 128 (agents allow 200 per client IP). */
  connections?: number;
  /** Concurrent long polls (blocking queries) per client; extra watches queue. Default 64. */
  maxLongPolls?: number;
  /** Environment to read defaults from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

/** One agent address, parsed. */
export interface ResolvedEndpoint {
  /** Origin dialled, e.g. `http://127.0.0.1:8500` (`http://localhost` for unix sockets). */
  origin: string;
  /** Path prefix for reverse proxies (`/consul`), without a trailing slash; usually empty. */
  basePath: string;
  /** Unix socket path for `unix://` addresses, else `undefined`. */
  socketPath: string | undefined;
  /** Whether the connection uses TLS (`https://`, or TLS forced by `tls`/`CONSUL_HTTP_SSL`). */
  secure: boolean;
  /** For logs and errors. */
  display: string;
}

/** Options after defaults, environment and validation. */
export interface ResolvedConsulConfig {
  /** Agent addresses, in failover order. */
  endpoints: ResolvedEndpoint[];
  /** ACL token (from `tokenFile`, `token` or the environment). A secret: never log it. */
  token: string | undefined;
  /** `dc=` sent with every call, unless a call sets its own. */
  datacenter: string | undefined;
  /** `ns=` sent with every call (Enterprise). */
  namespace: string | undefined;
  /** `partition=` sent with every call (Enterprise). */
  partition: string | undefined;
  /** `Authorization` header value built from `CONSUL_HTTP_AUTH` (a secret). */
  basicAuth: string | undefined;
  /** TLS settings used for `secure` endpoints. */
  tls: {
    ca: Array<string | Buffer> | undefined;
    cert: string | Buffer | undefined;
    key: string | Buffer | undefined;
    servername: string | undefined;
    rejectUnauthorized: boolean;
  };
  /** Timeout of a non-blocking call, in ms. */
  timeoutMs: number;
  /** Retry policy (`retries: 0` when retries are off). */
  retry: { retries: number; minDelayMs: number; maxDelayMs: number };
  /** Where diagnostics go. */
  logger: ConsulLogger;
  /** The user's undici dispatcher, if one was given. */
  dispatcher: Dispatcher | undefined;
  /** Connections per agent address. */
  connections: number;
  /** Concurrent long polls allowed. */
  maxLongPolls: number;
}

const OPTION_KEYS = optionKeys<ConsulOptions>({
  address: true,
  token: true,
  tokenFile: true,
  datacenter: true,
  namespace: true,
  partition: true,
  tls: true,
  timeout: true,
  retry: true,
  logger: true,
  dispatcher: true,
  connections: true,
  maxLongPolls: true,
  env: true,
});
const TLS_OPTION_KEYS = optionKeys<ConsulTlsOptions>({
  ca: true,
  caFile: true,
  cert: true,
  certFile: true,
  key: true,
  keyFile: true,
  servername: true,
  rejectUnauthorized: true,
});
const RETRY_OPTION_KEYS = optionKeys<ConsulRetryOptions>({
  retries: true,
  minDelay: true,
  maxDelay: true,
});

/**
 * Validates `options` and fills the rest from the same environment variables, with the same
 * precedence, as the official Consul CLI (explicit option > environment > default).
 */
export function resolveConsulOptions(options: ConsulOptions = {}): ResolvedConsulConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConsulOptionError('options', 'an object', options);
  }
  validateKnownOptions(options, OPTION_KEYS);
  const env = resolveEnv(options.env);
  const logger = resolveLogger(options.logger);
  // `null` and arrays are objects to `typeof`, but no TLS settings: they would force TLS unnoticed.
  const tlsIsObject =
    typeof options.tls === 'object' && options.tls !== null && !Array.isArray(options.tls);
  if (options.tls !== undefined && typeof options.tls !== 'boolean' && !tlsIsObject) {
    throw new ConsulOptionError('tls', 'a boolean or an object', options.tls);
  }
  const tlsOption: ConsulTlsOptions = tlsIsObject ? (options.tls as ConsulTlsOptions) : {};
  validateKnownOptions(tlsOption, TLS_OPTION_KEYS, 'tls');
  const sslFromEnv = parseBool(env.CONSUL_HTTP_SSL, 'CONSUL_HTTP_SSL');
  // Explicit beats the environment: `tls: false` keeps http:// addresses plain whatever
  // CONSUL_HTTP_SSL says (the variable is still checked: a typo in it is reported).
  const forceTls =
    options.tls === true || tlsIsObject || (options.tls === undefined && sslFromEnv === true);

  const addresses = resolveAddresses(options.address, env.CONSUL_HTTP_ADDR);
  // An address from the environment is blamed on the variable the user actually set.
  const addressOption =
    options.address === undefined && nonEmpty(env.CONSUL_HTTP_ADDR)
      ? 'CONSUL_HTTP_ADDR'
      : 'address';
  const endpoints = addresses.map((a, i) =>
    parseAddress(a, Array.isArray(options.address) ? `address[${i}]` : addressOption, forceTls),
  );

  const verifyFromEnv = parseBool(env.CONSUL_HTTP_SSL_VERIFY, 'CONSUL_HTTP_SSL_VERIFY');
  if (
    tlsOption.rejectUnauthorized !== undefined &&
    typeof tlsOption.rejectUnauthorized !== 'boolean'
  ) {
    throw new ConsulOptionError(
      'tls.rejectUnauthorized',
      'a boolean',
      tlsOption.rejectUnauthorized,
    );
  }
  const rejectUnauthorized = tlsOption.rejectUnauthorized ?? verifyFromEnv ?? true;
  const tls = {
    ca: resolveCa(tlsOption, env),
    cert: pemOption(
      tlsOption.cert,
      tlsOption.certFile,
      'tls.cert',
      env.CONSUL_CLIENT_CERT,
      'CONSUL_CLIENT_CERT',
    ),
    key: pemOption(
      tlsOption.key,
      tlsOption.keyFile,
      'tls.key',
      env.CONSUL_CLIENT_KEY,
      'CONSUL_CLIENT_KEY',
    ),
    servername: optionalName(tlsOption.servername, 'tls.servername') ?? serverNameFromEnv(env),
    rejectUnauthorized,
  };
  if ((tls.cert === undefined) !== (tls.key === undefined)) {
    throw new ConsulOptionError(
      tls.cert === undefined ? 'tls.cert' : 'tls.key',
      'a client certificate and key together (both or neither)',
      undefined,
    );
  }
  if (!rejectUnauthorized && endpoints.some((e) => e.secure)) {
    logger.warn(
      'TLS certificate verification of the Consul agent is disabled (rejectUnauthorized: false); ' +
        'anyone on the path can impersonate the agent',
    );
  }

  const retry = resolveRetry(options.retry);
  return {
    endpoints,
    token: resolveToken(options, env),
    datacenter: optionalName(options.datacenter, 'datacenter'),
    namespace: optionalName(options.namespace, 'namespace') ?? nonEmpty(env.CONSUL_NAMESPACE),
    partition: optionalName(options.partition, 'partition') ?? nonEmpty(env.CONSUL_PARTITION),
    basicAuth: nonEmpty(env.CONSUL_HTTP_AUTH)
      ? `Basic ${Buffer.from(env.CONSUL_HTTP_AUTH as string).toString('base64')}`
      : undefined,
    tls,
    timeoutMs: positiveMillis(given(options.timeout, 10_000), 'timeout'),
    retry,
    logger,
    dispatcher: resolveDispatcher(options.dispatcher),
    connections: positiveInteger(given(options.connections, 128), 'connections'),
    maxLongPolls: positiveInteger(given(options.maxLongPolls, 64), 'maxLongPolls'),
  };
}

function resolveAddresses(option: ConsulOptions['address'], fromEnv: string | undefined): string[] {
  if (option === undefined) return [nonEmpty(fromEnv) ?? '127.0.0.1:8500'];
  if (typeof option === 'string') return [option];
  if (Array.isArray(option) && option.length > 0) return [...option];
  throw new ConsulOptionError('address', 'a string or a non-empty array of strings', option);
}

/** Parses one address in any form the Consul CLI accepts. */
export function parseAddress(raw: unknown, option: string, forceTls: boolean): ResolvedEndpoint {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ConsulOptionError(
      option,
      'an address such as "127.0.0.1:8500" or "https://host:8501"',
      raw,
    );
  }
  const text = raw.trim();
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    if (!socketPath.startsWith('/')) {
      throw new ConsulOptionError(option, 'an absolute socket path (unix:///path/to.sock)', raw);
    }
    return { origin: 'http://localhost', basePath: '', socketPath, secure: false, display: text };
  }
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new ConsulOptionError(option, 'a valid address (host:port or URL)', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ConsulOptionError(option, 'an http://, https:// or unix:// address', raw);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new ConsulOptionError(option, 'an address without credentials, query or fragment', raw);
  }
  const secure = url.protocol === 'https:' || forceTls;
  // URL drops a port equal to its scheme's default (`:80` of http://), but written out it is still
  // the port to dial when TLS is forced.
  const port = url.port || writtenPort(withScheme) || (secure ? '443' : '80');
  const origin = `${secure ? 'https' : 'http'}://${url.hostname}:${port}`;
  const basePath = url.pathname.replace(/\/+$/, '');
  return { origin, basePath, socketPath: undefined, secure, display: origin + basePath };
}

/** The port written in an address (`'80'` of `http://h:80`), if any. */
function writtenPort(withScheme: string): string | undefined {
  const written = /^[a-z][a-z0-9+.-]*:\/\/(?:\[[^\]]*\]|[^/?#:]*):(\d+)/i.exec(withScheme)?.[1];
  return written === undefined ? undefined : String(Number(written));
}

function resolveToken(options: ConsulOptions, env: Readonly<Record<string, string | undefined>>) {
  // Checked even when `tokenFile` wins: a token of the wrong type is a mistake either way.
  if (options.token !== undefined && typeof options.token !== 'string') {
    throw new ConsulOptionError('token', 'a string', options.token, { secret: true });
  }
  if (options.tokenFile !== undefined) return readTokenFile(options.tokenFile, 'tokenFile');
  if (options.token !== undefined) return nonEmpty(options.token.trim());
  if (nonEmpty(env.CONSUL_HTTP_TOKEN_FILE)) {
    return readTokenFile(env.CONSUL_HTTP_TOKEN_FILE as string, 'CONSUL_HTTP_TOKEN_FILE');
  }
  return nonEmpty(env.CONSUL_HTTP_TOKEN?.trim());
}

function readTokenFile(file: unknown, option: string): string | undefined {
  if (typeof file !== 'string' || file === '') {
    throw new ConsulOptionError(option, 'a path to a file holding the ACL token', file);
  }
  try {
    return nonEmpty(readFileSync(file, 'utf8').trim());
  } catch (err) {
    throw new ConsulOptionError(
      option,
      `a readable token file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      file,
    );
  }
}

function resolveCa(
  tls: ConsulTlsOptions,
  env: Readonly<Record<string, string | undefined>>,
): Array<string | Buffer> | undefined {
  checkFileOption(tls.caFile, 'tls.caFile');
  if (tls.ca !== undefined) {
    const list = Array.isArray(tls.ca) ? tls.ca : [tls.ca];
    list.forEach((pem, i) => {
      if (typeof pem !== 'string' && !Buffer.isBuffer(pem)) {
        throw new ConsulOptionError(
          Array.isArray(tls.ca) ? `tls.ca[${i}]` : 'tls.ca',
          'PEM text or a Buffer',
          pem,
        );
      }
    });
    return list as Array<string | Buffer>;
  }
  if (tls.caFile !== undefined) return [readPem(tls.caFile, 'tls.caFile')];
  if (nonEmpty(env.CONSUL_CACERT)) return [readPem(env.CONSUL_CACERT as string, 'CONSUL_CACERT')];
  if (nonEmpty(env.CONSUL_CAPATH)) {
    const dir = env.CONSUL_CAPATH as string;
    try {
      return readdirSync(dir)
        .filter((f) => /\.(pem|crt)$/.test(f))
        .map((f) => readFileSync(path.join(dir, f)));
    } catch {
      throw new ConsulOptionError('CONSUL_CAPATH', 'a readable directory of PEM files', dir);
    }
  }
  return undefined;
}

function pemOption(
  value: string | Buffer | undefined,
  file: string | undefined,
  option: string,
  envFile: string | undefined,
  envName: string,
): string | Buffer | undefined {
  checkFileOption(file, `${option}File`);
  if (value !== undefined) {
    if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
      throw new ConsulOptionError(option, 'PEM text or a Buffer', value, {
        secret: option === 'tls.key',
      });
    }
    return value;
  }
  if (file !== undefined) return readPem(file, `${option}File`);
  if (nonEmpty(envFile)) return readPem(envFile as string, envName);
  return undefined;
}

/** A file option is a path even when the inline value it stands in for wins: else a mistake. */
function checkFileOption(file: unknown, option: string): void {
  if (file !== undefined && (typeof file !== 'string' || file === '')) {
    throw new ConsulOptionError(option, 'a file path', file);
  }
}

function readPem(file: unknown, option: string): Buffer {
  if (typeof file !== 'string' || file === '')
    throw new ConsulOptionError(option, 'a file path', file);
  try {
    return readFileSync(file);
  } catch (err) {
    throw new ConsulOptionError(
      option,
      `a readable PEM file (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      file,
    );
  }
}

function serverNameFromEnv(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const name = nonEmpty(env.CONSUL_TLS_SERVER_NAME);
  return name?.replace(/:\d+$/, '');
}

function resolveRetry(option: ConsulOptions['retry']): ResolvedConsulConfig['retry'] {
  if (option === false) return { retries: 0, minDelayMs: 0, maxDelayMs: 0 };
  if (
    option !== undefined &&
    (typeof option !== 'object' || option === null || Array.isArray(option))
  ) {
    throw new ConsulOptionError('retry', 'an object or false', option);
  }
  if (option !== undefined) validateKnownOptions(option, RETRY_OPTION_KEYS, 'retry');
  const retries = given(option?.retries, 3);
  if (!Number.isInteger(retries) || retries < 0 || retries > 100) {
    throw new ConsulOptionError('retry.retries', 'an integer from 0 to 100', retries);
  }
  // Backoff delays are slept on: a delay beyond a Node timer would end after 1 ms.
  const minDelayMs = toTimerMillis(given(option?.minDelay, 100), 'retry.minDelay');
  const maxDelayMs = toTimerMillis(given(option?.maxDelay, 2_000), 'retry.maxDelay');
  if (maxDelayMs < minDelayMs) {
    throw new ConsulOptionError(
      'retry.maxDelay',
      `a duration >= retry.minDelay (${minDelayMs} ms)`,
      option?.maxDelay,
    );
  }
  return { retries, minDelayMs, maxDelayMs };
}

/** `options.env`, checked: an object of strings (what `process.env` holds), else a typed error. */
function resolveEnv(env: unknown): Readonly<Record<string, string | undefined>> {
  if (env === undefined) return process.env;
  if (typeof env !== 'object' || env === null || Array.isArray(env)) {
    throw new ConsulOptionError('env', 'an object of environment variables', env);
  }
  for (const [name, value] of Object.entries(env)) {
    if (value !== undefined && typeof value !== 'string') {
      throw new ConsulOptionError(`env.${name}`, 'a string', value, {
        secret: /TOKEN|KEY|AUTH/i.test(name),
      });
    }
  }
  return env as Readonly<Record<string, string | undefined>>;
}

function resolveLogger(logger: unknown): ConsulLogger {
  if (logger === undefined) return defaultLogger;
  const candidate = logger as Partial<Record<keyof ConsulLogger, unknown>>;
  const methods = ['debug', 'info', 'warn', 'error'] as const;
  if (
    typeof logger !== 'object' ||
    logger === null ||
    methods.some((m) => typeof candidate[m] !== 'function')
  ) {
    throw new ConsulOptionError(
      'logger',
      'an object with debug, info, warn and error methods',
      logger,
    );
  }
  return logger as ConsulLogger;
}

function resolveDispatcher(dispatcher: unknown): Dispatcher | undefined {
  if (dispatcher === undefined) return undefined;
  const candidate = dispatcher as { request?: unknown; dispatch?: unknown };
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.request !== 'function' ||
    typeof candidate.dispatch !== 'function'
  ) {
    throw new ConsulOptionError(
      'dispatcher',
      'an undici Dispatcher (Agent, Pool, Client)',
      dispatcher,
    );
  }
  return dispatcher as Dispatcher;
}

function optionalName(value: unknown, option: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[A-Za-z0-9._-]+$/.test(value)) {
    throw new ConsulOptionError(
      option,
      'a non-empty name of letters, digits, ".", "_" or "-"',
      value,
    );
  }
  return value;
}

function positiveMillis(value: Duration, option: string): number {
  const ms = toMillis(value, option);
  if (ms <= 0) throw new ConsulOptionError(option, 'a positive duration', value);
  return ms;
}

function positiveInteger(value: unknown, option: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ConsulOptionError(option, 'a positive integer', value);
  }
  return value;
}

/** Go's strconv.ParseBool, as the CLI applies it to CONSUL_HTTP_SSL and CONSUL_HTTP_SSL_VERIFY. */
function parseBool(value: string | undefined, name: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new ConsulOptionError(name, 'a boolean (true/false/1/0)', value);
}

/**
 * `value`, or `fallback` when it is not given. Only `undefined` means "not given": `null` goes on
 * to the option's check and is refused there, instead of silently becoming the default.
 */
function given<T>(value: T | undefined, fallback: T): T {
  return value === undefined ? fallback : value;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
