import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Consul, ConsulOptionError, type ConsulOptions, silentLogger } from '../../src';
import { resolveConsulOptions } from '../../src/client-options';

const dir = mkdtempSync(path.join(tmpdir(), 'consulkit-config-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const resolve = (options: ConsulOptions = {}, env: Record<string, string> = {}) =>
  resolveConsulOptions({ logger: silentLogger, ...options, env });
const configError = (fn: () => unknown): ConsulOptionError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulOptionError);
    return err as ConsulOptionError;
  }
  throw new Error('expected a ConsulOptionError');
};

describe('resolveConsulOptions: addresses', () => {
  it('defaults to 127.0.0.1:8500 over HTTP', () => {
    expect(resolve().endpoints).toEqual([
      expect.objectContaining({ origin: 'http://127.0.0.1:8500', secure: false, basePath: '' }),
    ]);
  });

  it.each([
    ['consul.local:8500', 'http://consul.local:8500', false, ''],
    ['http://10.0.0.1:8500', 'http://10.0.0.1:8500', false, ''],
    ['https://consul.example:8501', 'https://consul.example:8501', true, ''],
    ['https://gw.example/consul/', 'https://gw.example:443', true, '/consul'],
    ['http://[::1]:8500', 'http://[::1]:8500', false, ''],
  ])('CONSUL_HTTP_ADDR=%s', (addr, origin, secure, basePath) => {
    const [endpoint] = resolve({}, { CONSUL_HTTP_ADDR: addr }).endpoints;
    expect(endpoint).toMatchObject({ origin, secure, basePath, socketPath: undefined });
  });

  it('CONSUL_HTTP_ADDR=unix:///path dials the socket with Host localhost', () => {
    const [endpoint] = resolve({}, { CONSUL_HTTP_ADDR: 'unix:///var/run/consul.sock' }).endpoints;
    expect(endpoint).toMatchObject({
      origin: 'http://localhost',
      socketPath: '/var/run/consul.sock',
      secure: false,
    });
  });

  it('CONSUL_HTTP_SSL=true upgrades a bare address; false never downgrades https', () => {
    expect(
      resolve({}, { CONSUL_HTTP_ADDR: 'h:8501', CONSUL_HTTP_SSL: 'true' }).endpoints[0],
    ).toMatchObject({
      origin: 'https://h:8501',
      secure: true,
    });
    expect(
      resolve({}, { CONSUL_HTTP_ADDR: 'h:8501', CONSUL_HTTP_SSL: '1' }).endpoints[0]?.secure,
    ).toBe(true);
    expect(
      resolve({}, { CONSUL_HTTP_ADDR: 'https://h:8501', CONSUL_HTTP_SSL: 'false' }).endpoints[0]
        ?.secure,
    ).toBe(true);
    expect(configError(() => resolve({}, { CONSUL_HTTP_SSL: 'yes' })).option).toBe(
      'CONSUL_HTTP_SSL',
    );
  });

  it('an explicit address beats CONSUL_HTTP_ADDR; a list keeps its order', () => {
    const config = resolve(
      { address: ['http://a:1', 'b:2'] },
      { CONSUL_HTTP_ADDR: 'http://env:8500' },
    );
    expect(config.endpoints.map((e) => e.origin)).toEqual(['http://a:1', 'http://b:2']);
  });

  it.each([
    ['ftp://h:21', 'address'],
    ['unix://relative.sock', 'address'],
    ['http://user:pw@h:8500', 'address'],
    ['', 'address'],
  ])('rejects %j naming %s', (address, option) => {
    expect(configError(() => resolve({ address })).option).toBe(option);
  });

  it('names the bad entry of an address list', () => {
    expect(configError(() => resolve({ address: ['h:1', 'ftp://x'] })).option).toBe('address[1]');
    expect(configError(() => resolve({ address: [] })).option).toBe('address');
  });
});

describe('resolveConsulOptions: token precedence (tokenFile > token > CONSUL_HTTP_TOKEN_FILE > CONSUL_HTTP_TOKEN)', () => {
  const optionFile = file('option-token', '  from-option-file \n');
  const envFile = file('env-token', 'from-env-file\n');
  const env = { CONSUL_HTTP_TOKEN_FILE: envFile, CONSUL_HTTP_TOKEN: 'from-env' };

  it.each([
    [{ tokenFile: optionFile, token: 'from-option' }, env, 'from-option-file'],
    [{ token: 'from-option' }, env, 'from-option'],
    [{}, env, 'from-env-file'],
    [{}, { CONSUL_HTTP_TOKEN: ' from-env ' }, 'from-env'],
    [{}, {}, undefined],
    [{ token: '' }, { CONSUL_HTTP_TOKEN: 'from-env' }, undefined],
  ])('%j with env %j → %s', (options, environment, token) => {
    expect(resolve(options, environment).token).toBe(token);
  });

  it('an unreadable token file is a config error naming the option, not the token', () => {
    const err = configError(() => resolve({ tokenFile: path.join(dir, 'missing') }));
    expect(err.option).toBe('tokenFile');
    const envErr = configError(() =>
      resolve({}, { CONSUL_HTTP_TOKEN_FILE: path.join(dir, 'missing') }),
    );
    expect(envErr.option).toBe('CONSUL_HTTP_TOKEN_FILE');
  });
});

describe('resolveConsulOptions: TLS from options and environment', () => {
  const ca = file('ca.pem', '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n');
  const cert = file('cert.pem', 'CERT');
  const key = file('key.pem', 'KEY');

  it('reads CONSUL_CACERT, CONSUL_CLIENT_CERT/KEY, CONSUL_TLS_SERVER_NAME and SSL_VERIFY', () => {
    const config = resolve(
      {},
      {
        CONSUL_HTTP_ADDR: 'https://h:8501',
        CONSUL_CACERT: ca,
        CONSUL_CLIENT_CERT: cert,
        CONSUL_CLIENT_KEY: key,
        CONSUL_TLS_SERVER_NAME: 'server.dc1.consul:8501',
        CONSUL_HTTP_SSL_VERIFY: 'false',
      },
    );
    expect(config.tls.ca?.map(String)).toEqual([
      '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n',
    ]);
    expect(String(config.tls.cert)).toBe('CERT');
    expect(String(config.tls.key)).toBe('KEY');
    expect(config.tls.servername).toBe('server.dc1.consul');
    expect(config.tls.rejectUnauthorized).toBe(false);
  });

  it('options win over the environment', () => {
    const config = resolve(
      { tls: { ca: 'INLINE', servername: 'opt.example', rejectUnauthorized: true } },
      { CONSUL_CACERT: ca, CONSUL_TLS_SERVER_NAME: 'env.example', CONSUL_HTTP_SSL_VERIFY: 'false' },
    );
    expect(config.tls).toMatchObject({
      ca: ['INLINE'],
      servername: 'opt.example',
      rejectUnauthorized: true,
    });
    expect(config.endpoints[0]?.secure).toBe(true); // a tls object implies https
  });

  it('a client certificate without its key (or the reverse) is an error', () => {
    expect(configError(() => resolve({ tls: { cert: 'CERT' } })).option).toBe('tls.key');
    expect(configError(() => resolve({ tls: { key: 'KEY' } })).option).toBe('tls.cert');
    expect(configError(() => resolve({}, { CONSUL_CLIENT_CERT: cert })).option).toBe('tls.key');
  });

  it('an unreadable CA file names the variable', () => {
    expect(
      configError(() => resolve({}, { CONSUL_CACERT: path.join(dir, 'nope.pem') })).option,
    ).toBe('CONSUL_CACERT');
  });
});

describe('resolveConsulOptions: other options', () => {
  it('reads namespace, partition and basic auth from the environment', () => {
    const config = resolve(
      {},
      { CONSUL_NAMESPACE: 'team-a', CONSUL_PARTITION: 'p1', CONSUL_HTTP_AUTH: 'user:pw' },
    );
    expect(config.namespace).toBe('team-a');
    expect(config.partition).toBe('p1');
    expect(config.basicAuth).toBe(`Basic ${Buffer.from('user:pw').toString('base64')}`);
    expect(resolve({ namespace: 'opt' }, { CONSUL_NAMESPACE: 'env' }).namespace).toBe('opt');
  });

  it('parses durations and retry settings', () => {
    const config = resolve({
      timeout: '5s',
      retry: { retries: 1, minDelay: '50ms', maxDelay: '1s' },
    });
    expect(config.timeoutMs).toBe(5_000);
    expect(config.retry).toEqual({ retries: 1, minDelayMs: 50, maxDelayMs: 1_000 });
    expect(resolve({ retry: false }).retry.retries).toBe(0);
    expect(resolve().retry).toEqual({ retries: 3, minDelayMs: 100, maxDelayMs: 2_000 });
  });

  it.each([
    [{ timeout: 0 }, 'timeout'],
    [{ timeout: '5 seconds' }, 'timeout'],
    [{ retry: { retries: -1 } }, 'retry.retries'],
    [{ retry: { minDelay: '2s', maxDelay: '1s' } }, 'retry.maxDelay'],
    [{ retry: 'yes' }, 'retry'],
    [{ connections: 0 }, 'connections'],
    [{ maxLongPolls: 1.5 }, 'maxLongPolls'],
    [{ datacenter: 'dc 1' }, 'datacenter'],
    [{ tls: 'yes' }, 'tls'],
    [{ tls: { rejectUnauthorized: 'no' } }, 'tls.rejectUnauthorized'],
    [{ logger: { warn: () => undefined } }, 'logger'],
    [{ dispatcher: {} }, 'dispatcher'],
  ])('rejects %j naming %s', (options, option) => {
    expect(configError(() => resolve(options as ConsulOptions)).option).toBe(option);
  });

  it('an unknown option is an error naming it', () => {
    const err = configError(() => resolve({ adress: 'h:1' } as ConsulOptions));
    expect(err.option).toBe('adress');
    expect(err.message).toContain('adress');
    expect(configError(() => new Consul({ Token: 'x' } as ConsulOptions)).option).toBe('Token');
  });

  it('rejects non-object options', () => {
    expect(configError(() => resolveConsulOptions('h:1' as ConsulOptions)).option).toBe('options');
  });
});

describe('the token never appears in an error message', () => {
  const secret = 'b7c3f0e2-5a1d-4e8f-9c6b-secret-token';

  it('not in config errors (bad token type, bad other options)', () => {
    const typed = configError(() => resolve({ token: 12345 as unknown as string }));
    expect(typed.message).toContain('[redacted]');
    for (const options of [
      { token: secret, timeout: -1 },
      { token: secret, address: 'ftp://x' },
      { token: secret, retry: { retries: 1000 } },
      { token: secret, bogus: true },
    ]) {
      const err = configError(() => resolve(options as ConsulOptions));
      expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(secret);
    }
  });

  it('not in transport errors (connection refused, invalid header value)', async () => {
    for (const token of [secret, `${secret}\nX-Injected: 1`]) {
      const consul = new Consul({
        address: 'http://127.0.0.1:1',
        token,
        retry: false,
        logger: silentLogger,
        env: {},
      });
      const err = (await consul.kv.get('k').catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(`${err.message} ${err.stack} ${JSON.stringify(err)}`).not.toContain(secret);
      await consul.close();
    }
  });
});
