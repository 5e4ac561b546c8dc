import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConsulOptionError, type ConsulOptions, silentLogger } from '../../src';
import { resolveConsulOptions } from '../../src/client-options';
/** Node's timer limit (2^31 - 1 ms). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Mistakes in client options that resolveConsulOptions used to let through (found by the chaos fuzz's
 * oracle, tests/chaos/test/bad-input.test.ts): each must be refused naming the option, or resolve
 * to what the documentation says.
 */

const resolve = (options: Record<string, unknown>, env: Record<string, string> = {}) =>
  resolveConsulOptions({ logger: silentLogger, ...options, env } as ConsulOptions);

function refusal(options: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    resolve(options, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulOptionError);
    return (err as ConsulOptionError).option;
  }
  return '(accepted)';
}

const tokenFile = path.join(mkdtempSync(path.join(tmpdir(), 'consulkit-mistakes-')), 'token');
writeFileSync(tokenFile, 'file-token\n');

describe('resolveConsulOptions: mistakes are refused, naming the option', () => {
  it('a bad CONSUL_HTTP_ADDR is blamed on the variable, not on an address option never given', () => {
    expect(refusal({}, { CONSUL_HTTP_ADDR: 'ftp://127.0.0.1:1' })).toBe('CONSUL_HTTP_ADDR');
    expect(refusal({ address: 'ftp://127.0.0.1:1' })).toBe('address');
  });

  it.each([null, [], [true]])('tls: %j is no TLS setting (it used to force HTTPS)', (tls) => {
    expect(refusal({ tls })).toBe('tls');
  });

  it('a token of the wrong type is refused even when tokenFile wins', () => {
    expect(refusal({ tokenFile, token: 42 })).toBe('token');
    expect(resolve({ tokenFile, token: 'ignored' }).token).toBe('file-token');
  });

  it.each([
    [{ ca: 'PEM', caFile: 7 }, 'tls.caFile'],
    [{ ca: 'PEM', caFile: '' }, 'tls.caFile'],
    [{ cert: 'PEM', key: 'KEY', certFile: null }, 'tls.certFile'],
    [{ cert: 'PEM', key: 'KEY', keyFile: 7 }, 'tls.keyFile'],
  ])('a file option must be a path even next to the inline value: tls %j', (tls, option) => {
    expect(refusal({ tls })).toBe(option);
  });

  it.each([
    [{ timeout: null }, 'timeout'],
    [{ connections: null }, 'connections'],
    [{ maxLongPolls: null }, 'maxLongPolls'],
    [{ retry: { retries: null } }, 'retry.retries'],
    [{ retry: { minDelay: null } }, 'retry.minDelay'],
    [{ retry: { maxDelay: null } }, 'retry.maxDelay'],
    [{ retry: [] }, 'retry'],
  ])('null is not "not given": %j', (options, option) => {
    expect(refusal(options)).toBe(option);
  });

  it('backoff delays a Node timer cannot wait are refused; the longest one is accepted', () => {
    expect(refusal({ retry: { minDelay: '1000h', maxDelay: '1000h' } })).toBe('retry.minDelay');
    expect(refusal({ retry: { maxDelay: MAX_TIMER_MS + 1 } })).toBe('retry.maxDelay');
    expect(resolve({ retry: { minDelay: 1, maxDelay: MAX_TIMER_MS } }).retry.maxDelayMs).toBe(
      MAX_TIMER_MS,
    );
  });
});

describe('resolveConsulOptions: what the documentation says', () => {
  it('a port written out is dialled even when TLS is forced (:80 used to become :443)', () => {
    expect(resolve({ address: 'http://h:80', tls: true }).endpoints[0]?.origin).toBe(
      'https://h:80',
    );
    expect(resolve({ address: 'h:80' }, { CONSUL_HTTP_SSL: 'true' }).endpoints[0]?.origin).toBe(
      'https://h:80',
    );
    expect(resolve({ address: 'h', tls: true }).endpoints[0]?.origin).toBe('https://h:443');
    expect(resolve({ address: 'http://h' }).endpoints[0]?.origin).toBe('http://h:80');
  });

  it('tls: false beats CONSUL_HTTP_SSL (explicit option > environment), which is still checked', () => {
    const [endpoint] = resolve(
      { address: 'h:8500', tls: false },
      { CONSUL_HTTP_SSL: 'true' },
    ).endpoints;
    expect(endpoint).toMatchObject({ origin: 'http://h:8500', secure: false });
    expect(resolve({ address: 'https://h:8501', tls: false }).endpoints[0]?.secure).toBe(true);
    expect(refusal({ tls: false }, { CONSUL_HTTP_SSL: 'yes' })).toBe('CONSUL_HTTP_SSL');
  });
});
