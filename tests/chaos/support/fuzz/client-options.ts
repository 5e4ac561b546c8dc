import {
  type ConsulLogger,
  type ResolvedConsulConfig,
  type ResolvedEndpoint,
} from '@consulkit/core';
import fc from 'fast-check';
import {
  BEYOND_TIMERS,
  durationWhere,
  MAX_TIMER_MS,
  modelMillis,
  NOT_A_DURATION,
} from './durations';
import { type FuzzFiles, SECRET } from './files';
import { defined, type InvalidCase, type Mutation, type ValidCase } from './oracle';

/**
 * Options of `new Consul()`, split into known-valid inputs (with the resolved configuration the
 * test's own model computes from the documented rules: explicit option > environment > default)
 * and known-invalid ones (a valid input with one mistake, and the option path it must be blamed on).
 * The environment is always given (`env`), so nothing depends on the machine's.
 */

export type ClientInput = Record<string, unknown>;

/** What `consul.options` must hold (the logger is compared by identity apart). */
export type ExpectedClientConfig = Omit<ResolvedConsulConfig, 'logger'>;

export interface ClientExpectation {
  config: ExpectedClientConfig;
  /** Warnings at construction: one when TLS verification is off for a secure address. */
  warnings: number;
}

/** A logger that counts its warnings: each case gets its own. */
export interface CountingLogger extends ConsulLogger {
  readonly warnings: string[];
}

export function countingLogger(): CountingLogger {
  const warnings: string[] = [];
  const ignore = () => undefined;
  return { warnings, debug: ignore, info: ignore, error: ignore, warn: (m) => warnings.push(m) };
}

/** A stand-in for an undici dispatcher: the client only checks for the two methods. */
function duckDispatcher(): Record<string, unknown> {
  return { request: () => undefined, dispatch: () => true };
}

/** Raised by the model for an input that breaks a rule across fields (it is then not "valid"). */
class ModelRefusal extends Error {
  constructor(readonly path: string) {
    super(`the model refuses this input (${path})`);
  }
}

const TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];
const FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];
const NAME = /^[A-Za-z0-9._-]{1,12}$/;

// ---------------------------------------------------------------- the model

type Env = Readonly<Record<string, string | undefined>>;

function nonEmpty(text: string | undefined): string | undefined {
  return text === undefined || text === '' ? undefined : text;
}

function envBool(text: string | undefined): boolean | undefined {
  if (text === undefined || text === '') return undefined;
  return TRUE.includes(text);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The address forms the options document, as the agent will be dialled. */
export function modelEndpoint(raw: string, forceTls: boolean): ResolvedEndpoint {
  const text = raw.trim();
  if (text.startsWith('unix://')) {
    const socketPath = text.slice('unix://'.length);
    return { origin: 'http://localhost', basePath: '', socketPath, secure: false, display: text };
  }
  const m = /^(?:([a-z]+):\/\/)?(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::(\d+))?(\/[^?#]*)?$/i.exec(text);
  if (m === null) throw new Error(`the model does not know the address form ${raw}`);
  const secure = m[1]?.toLowerCase() === 'https' || forceTls;
  // A port written out is the port dialled; only an absent one defaults by scheme.
  const port = m[3] === undefined ? (secure ? 443 : 80) : Number(m[3]);
  const origin = `${secure ? 'https' : 'http'}://${(m[2] as string).toLowerCase()}:${port}`;
  const basePath = (m[4] ?? '').replace(/\/+$/, '');
  return { origin, basePath, socketPath: undefined, secure, display: origin + basePath };
}

function readToken(file: string, files: FuzzFiles): string | undefined {
  return nonEmpty(files.contents(file).toString('utf8').trim());
}

/** The resolved configuration, by the documented rules; throws {@link ModelRefusal} across fields. */
export function expectedClient(input: ClientInput, files: FuzzFiles): ClientExpectation {
  const env = input.env as Env;
  const tls = isPlainObject(input.tls) ? input.tls : {};
  // Explicit beats the environment: `tls: false` is not overridden by CONSUL_HTTP_SSL.
  const forceTls =
    input.tls === true ||
    isPlainObject(input.tls) ||
    (input.tls === undefined && envBool(env.CONSUL_HTTP_SSL) === true);
  const address = input.address ?? nonEmpty(env.CONSUL_HTTP_ADDR) ?? '127.0.0.1:8500';
  const endpoints = (Array.isArray(address) ? address : [address]).map((a: string) =>
    modelEndpoint(a, forceTls),
  );

  let token: string | undefined;
  if (input.tokenFile !== undefined) token = readToken(input.tokenFile as string, files);
  else if (input.token !== undefined) token = nonEmpty((input.token as string).trim());
  else if (nonEmpty(env.CONSUL_HTTP_TOKEN_FILE)) {
    token = readToken(env.CONSUL_HTTP_TOKEN_FILE as string, files);
  } else token = nonEmpty(env.CONSUL_HTTP_TOKEN?.trim());

  const pem = (inline: unknown, file: unknown, envFile: string | undefined) => {
    if (inline !== undefined) return inline as string | Buffer;
    if (file !== undefined) return files.contents(file as string);
    return nonEmpty(envFile) === undefined ? undefined : files.contents(envFile as string);
  };
  let ca: Array<string | Buffer> | undefined;
  if (tls.ca !== undefined) ca = Array.isArray(tls.ca) ? tls.ca : [tls.ca as string];
  else if (tls.caFile !== undefined) ca = [files.contents(tls.caFile as string)];
  else if (nonEmpty(env.CONSUL_CACERT)) ca = [files.contents(env.CONSUL_CACERT as string)];
  else if (nonEmpty(env.CONSUL_CAPATH)) ca = [...files.caDirCerts];
  const cert = pem(tls.cert, tls.certFile, env.CONSUL_CLIENT_CERT);
  const key = pem(tls.key, tls.keyFile, env.CONSUL_CLIENT_KEY);
  if (cert === undefined && key !== undefined) throw new ModelRefusal('tls.cert');
  if (cert !== undefined && key === undefined) throw new ModelRefusal('tls.key');
  const rejectUnauthorized =
    (tls.rejectUnauthorized as boolean | undefined) ?? envBool(env.CONSUL_HTTP_SSL_VERIFY) ?? true;

  let retry = { retries: 0, minDelayMs: 0, maxDelayMs: 0 };
  if (input.retry !== false) {
    const r = (input.retry ?? {}) as { retries?: number; minDelay?: unknown; maxDelay?: unknown };
    retry = {
      retries: r.retries ?? 3,
      minDelayMs: r.minDelay === undefined ? 100 : msOf(r.minDelay),
      maxDelayMs: r.maxDelay === undefined ? 2_000 : msOf(r.maxDelay),
    };
    if (retry.maxDelayMs < retry.minDelayMs) throw new ModelRefusal('retry.maxDelay');
  }

  const auth = nonEmpty(env.CONSUL_HTTP_AUTH);
  return {
    config: {
      endpoints,
      token,
      datacenter: input.datacenter as string | undefined,
      namespace: (input.namespace as string | undefined) ?? nonEmpty(env.CONSUL_NAMESPACE),
      partition: (input.partition as string | undefined) ?? nonEmpty(env.CONSUL_PARTITION),
      basicAuth: auth && `Basic ${Buffer.from(auth).toString('base64')}`,
      tls: {
        ca,
        cert,
        key,
        servername:
          (tls.servername as string | undefined) ??
          nonEmpty(env.CONSUL_TLS_SERVER_NAME)?.replace(/:\d+$/, ''),
        rejectUnauthorized,
      },
      timeoutMs: input.timeout === undefined ? 10_000 : msOf(input.timeout),
      retry,
      dispatcher: input.dispatcher as ExpectedClientConfig['dispatcher'],
      connections: (input.connections as number | undefined) ?? 128,
      maxLongPolls: (input.maxLongPolls as number | undefined) ?? 64,
    },
    warnings: !rejectUnauthorized && endpoints.some((e) => e.secure) ? 1 : 0,
  };
}

const msOf = modelMillis;
/** A valid duration option. */
function duration(accept: (ms: number) => boolean): fc.Arbitrary<string | number> {
  return durationWhere(accept).map(({ input }) => input);
}

// ---------------------------------------------------------------- valid inputs

const host = fc.constantFrom('127.0.0.1', 'localhost', 'consul.local', 'Consul.Example', '[::1]');
const port = fc.oneof(
  fc.constantFrom(undefined, 80, 443, 8500, 8501),
  fc.integer({ min: 1, max: 65_535 }),
);
const hostAddress = fc
  .tuple(
    fc.constantFrom('', 'http://', 'https://', 'HTTP://'),
    host,
    port,
    fc.constantFrom('', '', '/', '/consul', '/consul/', '/a/b/'),
    fc.constantFrom('', ' '),
  )
  .map(
    ([scheme, h, p, path, pad]) =>
      `${pad}${scheme}${h}${p === undefined ? '' : `:${p}`}${path}${pad}`,
  );
const anAddress = fc.oneof(
  { weight: 8, arbitrary: hostAddress },
  { weight: 1, arbitrary: fc.constant('unix:///tmp/consul-fuzz.sock') },
);
const aName = fc.stringMatching(NAME);
const envBoolText = fc.constantFrom(...TRUE, ...FALSE, '');

function validInputs(files: FuzzFiles): fc.Arbitrary<ClientInput> {
  type Source = 'none' | 'inline' | 'file' | 'env';
  const pemSource = fc.constantFrom<Source>('none', 'inline', 'file', 'env');
  const tlsObject = fc
    .tuple(
      fc.record(
        {
          servername: aName,
          rejectUnauthorized: fc.boolean(),
          ca: fc.oneof(
            fc.constant('PEM CA INLINE'),
            fc.constant(Buffer.from('PEM CA BUFFER')),
            fc.constant(['PEM A', Buffer.from('PEM B')]),
          ),
          caFile: fc.constant(files.ca),
        },
        { requiredKeys: [] },
      ),
      fc.boolean(),
    )
    .map(([fields, inlineAsBuffer]) => ({ ...fields, inlineAsBuffer }));
  return fc
    .record(
      {
        address: fc.option(
          fc.oneof(anAddress, fc.array(anAddress, { minLength: 1, maxLength: 3 })),
          { nil: undefined },
        ),
        token: fc.option(fc.constantFrom(SECRET, ` ${SECRET} `, '', '  '), { nil: undefined }),
        tokenFile: fc.option(fc.constantFrom(files.token, files.blankToken), { nil: undefined }),
        datacenter: fc.option(aName, { nil: undefined }),
        namespace: fc.option(aName, { nil: undefined }),
        partition: fc.option(aName, { nil: undefined }),
        tls: fc.option(fc.oneof(fc.boolean(), tlsObject), { nil: undefined }),
        cert: pemSource,
        key: pemSource,
        timeout: fc.option(
          duration((ms) => ms > 0),
          { nil: undefined },
        ),
        retry: fc.option(
          fc.oneof(
            fc.constant(false as const),
            fc.record(
              {
                retries: fc.integer({ min: 0, max: 100 }),
                minDelay: duration((ms) => ms <= MAX_TIMER_MS),
                maxDelay: duration((ms) => ms <= MAX_TIMER_MS),
              },
              { requiredKeys: [] },
            ),
          ),
          { nil: undefined },
        ),
        dispatcher: fc.option(fc.constant(null).map(duckDispatcher), { nil: undefined }),
        connections: fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: undefined }),
        maxLongPolls: fc.option(fc.integer({ min: 1, max: 1_000 }), { nil: undefined }),
        env: fc.record(
          {
            CONSUL_HTTP_ADDR: anAddress,
            CONSUL_HTTP_TOKEN: fc.constantFrom(SECRET, ` ${SECRET}`, ''),
            CONSUL_HTTP_TOKEN_FILE: fc.constantFrom(files.token, ''),
            CONSUL_HTTP_SSL: envBoolText,
            CONSUL_HTTP_SSL_VERIFY: envBoolText,
            CONSUL_CACERT: fc.constantFrom(files.ca, ''),
            CONSUL_CAPATH: fc.constant(files.caDir),
            CONSUL_TLS_SERVER_NAME: fc.constantFrom('consul.local', 'server.dc1.consul:8501', ''),
            CONSUL_NAMESPACE: fc.oneof(aName, fc.constant('')),
            CONSUL_PARTITION: fc.oneof(aName, fc.constant('')),
            CONSUL_HTTP_AUTH: fc.constantFrom('user:pw', ''),
            HOME: fc.constant('/home/someone'),
          },
          { requiredKeys: [] },
        ),
      },
      { requiredKeys: ['cert', 'key', 'env'] },
    )
    .map(({ tls, cert, key, env, ...rest }) => {
      // Client certificate and key come from the option, its file, or the environment.
      const tlsOut = typeof tls === 'object' ? { ...tls } : tls;
      const envOut: Record<string, string> = { ...env };
      const place = (which: 'cert' | 'key', source: Source) => {
        const file = which === 'cert' ? files.cert : files.key;
        if (source === 'env')
          envOut[which === 'cert' ? 'CONSUL_CLIENT_CERT' : 'CONSUL_CLIENT_KEY'] = file;
        if (typeof tlsOut !== 'object') return;
        const { inlineAsBuffer } = tlsOut;
        if (source === 'inline') {
          const text = `PEM ${which.toUpperCase()} INLINE ${which === 'key' ? SECRET : ''}`;
          (tlsOut as Record<string, unknown>)[which] = inlineAsBuffer ? Buffer.from(text) : text;
        }
        if (source === 'file') (tlsOut as Record<string, unknown>)[`${which}File`] = file;
      };
      place('cert', cert);
      place('key', key);
      if (typeof tlsOut === 'object')
        delete (tlsOut as { inlineAsBuffer?: boolean }).inlineAsBuffer;
      return defined({
        ...rest,
        tls: typeof tlsOut === 'object' ? defined(tlsOut) : tlsOut,
        env: envOut,
        logger: countingLogger(),
      });
    });
}

/** Valid options with the model's expectation (inputs breaking a cross-field rule are left out). */
export function validClientCases(
  files: FuzzFiles,
): fc.Arbitrary<ValidCase<ClientInput, ClientExpectation>> {
  return validInputs(files)
    .map((input) => {
      try {
        return { input, expected: expectedClient(input, files) };
      } catch (err) {
        if (err instanceof ModelRefusal) return undefined;
        throw err;
      }
    })
    .filter((c): c is ValidCase<ClientInput, ClientExpectation> => c !== undefined);
}

// ---------------------------------------------------------------- invalid inputs

function tlsOf(input: ClientInput): Record<string, unknown> {
  return isPlainObject(input.tls) ? { ...input.tls } : {};
}

const set =
  (key: string, path = key) =>
  (value: unknown): Mutation<ClientInput> => ({
    path,
    bad: value,
    apply: (base) => ({ ...base, [key]: value }),
  });

/** A mistake inside `tls`, after removing the fields named in `drop` (they would take precedence). */
const setTls =
  (field: string, drop: string[] = [], envDrop: string[] = []) =>
  (value: unknown): Mutation<ClientInput> => ({
    path: `tls.${field}`,
    bad: value,
    apply: (base) => {
      const tls = tlsOf(base);
      for (const d of drop) delete tls[d];
      const env = { ...(base.env as Env) };
      for (const d of envDrop) delete env[d];
      return { ...base, tls: { ...tls, [field]: value }, env };
    },
  });

/** A bad environment variable, with the options that would override it removed. */
const setEnv =
  (name: string, dropOptions: string[] = [], dropTls: string[] = [], dropEnv: string[] = []) =>
  (value: string | number): Mutation<ClientInput> => ({
    path: typeof value === 'string' ? name : `env.${name}`,
    bad: value,
    apply: (base) => {
      const out: ClientInput = { ...base };
      for (const d of dropOptions) delete out[d];
      if (isPlainObject(out.tls)) {
        const tls = tlsOf(out);
        for (const d of dropTls) delete tls[d];
        out.tls = tls;
      }
      const env: Record<string, unknown> = { ...(base.env as Env), [name]: value };
      for (const d of dropEnv) delete env[d];
      return { ...out, env };
    },
  });

/** The same mutation for each value. */
function each<T>(
  values: readonly T[],
  make: (value: T) => Mutation<ClientInput>,
): Mutation<ClientInput>[] {
  return values.map(make);
}

const BAD_ADDRESSES = [
  '',
  '   ',
  'ftp://127.0.0.1:1',
  'unix://relative.sock',
  'http://user:pass@127.0.0.1:1',
  'http://127.0.0.1:1/?q=1',
  'http://127.0.0.1:1/#top',
  '127.0.0.1:99999',
  'http://',
  '127.0.0.1:port',
];
const NOT_A_NAME = ['', 'bad name!', 'a/b', 42, null, true];
const NOT_A_COUNT = [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '8', null];
/** Every mistake the fuzz makes in client options, each with the option path it must name. */
export function clientMutations(files: FuzzFiles): Mutation<ClientInput>[] {
  return [
    ...each([...BAD_ADDRESSES, 42, null, [], {}], set('address')),
    ...BAD_ADDRESSES.filter((a) => a.trim() !== '').map((bad): Mutation<ClientInput> => ({
      path: 'address[1]',
      apply: (base) => ({ ...base, address: ['127.0.0.1:8500', bad, '127.0.0.1:8501'] }),
    })),
    ...each(['ftp://127.0.0.1:1', 'unix://relative.sock', '127.0.0.1:99999'], (bad) =>
      setEnv('CONSUL_HTTP_ADDR', ['address'])(bad),
    ),
    ...each([42, null, true, [SECRET], { token: SECRET }], set('token')),
    ...each(['', files.missing, files.folder, 42, null], set('tokenFile')),
    ...each([files.missing, files.folder], (bad) =>
      setEnv('CONSUL_HTTP_TOKEN_FILE', ['token', 'tokenFile'])(bad),
    ),
    ...(['datacenter', 'namespace', 'partition'] as const).flatMap((name) =>
      each(NOT_A_NAME, set(name)),
    ),
    ...each(['yes', 1, null, [], 'true'], set('tls')),
    ...each(['no', 0, 1, null, 'false'], setTls('rejectUnauthorized')),
    ...each(['', 'bad name!', 42, null], setTls('servername')),
    ...each([7, null, { pem: 'x' }, true], setTls('ca')),
    {
      path: 'tls.ca[1]',
      apply: (base) => setTls('ca')(['PEM A', 7]).apply(base),
    },
    ...each(['', files.missing, files.folder, 7, null], setTls('caFile', ['ca'])),
    // A bad file option next to the inline value it would be ignored for: still a mistake.
    ...each([7, null, ''], (bad) => ({
      path: 'tls.caFile',
      apply: (base: ClientInput) => setTls('caFile')(bad).apply(setTls('ca')('PEM CA').apply(base)),
    })),
    ...each([7, null, { pem: 'x' }], (bad) => setTls('cert')(bad)),
    ...each([7, null, [SECRET]], (bad) => setTls('key')(bad)),
    ...each([files.missing, files.folder, 7], (bad) => setTls('certFile', ['cert'])(bad)),
    ...each([files.missing, files.folder, 7], (bad) => setTls('keyFile', ['key'])(bad)),
    // A certificate without a key (from any source), and a key without a certificate.
    {
      path: 'tls.key',
      apply: (base) =>
        setTls('cert', ['key', 'keyFile'], ['CONSUL_CLIENT_KEY'])('PEM CERT').apply(base),
    },
    {
      path: 'tls.cert',
      apply: (base) =>
        setTls(
          'key',
          ['cert', 'certFile'],
          ['CONSUL_CLIENT_CERT'],
        )(`PEM KEY ${SECRET}`).apply(base),
    },
    ...each(['verify', 'CA'], (unknown) => setTls(unknown)(true)),
    ...each([files.missing, files.folder], (bad) =>
      setEnv('CONSUL_CACERT', [], ['ca', 'caFile'])(bad),
    ),
    ...each([files.missing, files.token], (bad) =>
      setEnv('CONSUL_CAPATH', [], ['ca', 'caFile'], ['CONSUL_CACERT'])(bad),
    ),
    ...each([files.missing], (bad) => setEnv('CONSUL_CLIENT_CERT', [], ['cert', 'certFile'])(bad)),
    ...each([files.missing], (bad) => setEnv('CONSUL_CLIENT_KEY', [], ['key', 'keyFile'])(bad)),
    ...each(['yes', 'maybe', 'on'], (bad) => setEnv('CONSUL_HTTP_SSL')(bad)),
    ...each(['maybe', 'no'], (bad) => setEnv('CONSUL_HTTP_SSL_VERIFY')(bad)),
    ...each(['CONSUL_HTTP_TOKEN', 'CONSUL_HTTP_ADDR', 'OTHER'], (name) => setEnv(name)(5)),
    ...each(['CONSUL_HTTP_ADDR=x', null, [], 7], set('env')),
    ...each([...NOT_A_DURATION, 0, '0s', '0'], set('timeout')),
    ...each(['yes', null, true, 3, []], set('retry')),
    ...each(['max', 'retry'], (unknown) => ({
      path: `retry.${unknown}`,
      apply: (base: ClientInput) => ({ ...base, retry: { [unknown]: 1 } }),
    })),
    ...each([-1, 1.5, 101, null, '3'], (bad) => ({
      path: 'retry.retries',
      apply: (base: ClientInput) => ({ ...base, retry: { retries: bad } }),
    })),
    ...each([...NOT_A_DURATION, ...BEYOND_TIMERS], (bad) => ({
      path: 'retry.minDelay',
      // maxDelay as large, so that only minDelay itself can be blamed.
      apply: (base: ClientInput) => ({ ...base, retry: { minDelay: bad, maxDelay: bad } }),
    })),
    ...each([...NOT_A_DURATION, ...BEYOND_TIMERS], (bad) => ({
      path: 'retry.maxDelay',
      apply: (base: ClientInput) => ({ ...base, retry: { minDelay: 0, maxDelay: bad } }),
    })),
    {
      path: 'retry.maxDelay',
      apply: (base) => ({ ...base, retry: { minDelay: '2s', maxDelay: '1s' } }),
    },
    ...each([null, {}, { debug: () => undefined }, 'console', () => undefined], set('logger')),
    ...each([null, { request: 1 }, {}, 'undici'], set('dispatcher')),
    ...each(NOT_A_COUNT, set('connections')),
    ...each(NOT_A_COUNT, set('maxLongPolls')),
    ...each(['adress', 'tokn', 'retries', 'constructor', 'Token'], (key) => set(key)(1)),
    ...each(['127.0.0.1:8500', null, [], 7], (bad) => ({
      path: 'options',
      apply: () => bad as unknown as ClientInput,
    })),
  ];
}

/** A valid input with one mistake, and the path it must be blamed on. */
export function invalidClientCases(files: FuzzFiles): fc.Arbitrary<InvalidCase<ClientInput>> {
  return fc
    .tuple(validClientCases(files), fc.constantFrom(...clientMutations(files)))
    .map(([base, mutation]) => ({ input: mutation.apply(base.input), path: mutation.path }));
}
