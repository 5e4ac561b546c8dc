import { Consul, ConsulOptionError, ConsulLockError, silentLogger } from '../../src';
import { goLockKey } from '../../src/coordination/validate';
import { LOCK_FLAG_VALUE, SEMAPHORE_FLAG_VALUE } from '../../src/coordination/constants';

/** Nothing listens on port 1: had anything been sent, the error would be a connection error. */
const offline = () =>
  new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger, retry: false });

function optionOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulOptionError);
    return (err as ConsulOptionError).option;
  }
  throw new Error('expected a ConsulOptionError');
}

describe('coordination option validation (before any request)', () => {
  const consul = offline();
  afterAll(() => consul.close());

  it('keeps the Go client constants bit-exact', () => {
    expect(LOCK_FLAG_VALUE).toBe(3304740253564472344n);
    expect(SEMAPHORE_FLAG_VALUE).toBe(16210313421097356768n);
    expect(goLockKey('jobs/cleanup')).toBe('jobs/cleanup/.lock');
    expect(goLockKey('/jobs/cleanup/')).toBe('jobs/cleanup/.lock');
  });

  it('refuses a session TTL outside 10s–24h', () => {
    expect(optionOf(() => consul.lock('k', { ttl: '9s' }))).toBe('ttl');
    expect(optionOf(() => consul.lock('k', { ttl: '24h1s' }))).toBe('ttl');
    expect(optionOf(() => consul.lock('k', { ttl: 'soon' }))).toBe('ttl');
    expect(optionOf(() => consul.leader('k', { ttl: 5_000 }))).toBe('ttl');
    expect(optionOf(() => consul.semaphore('p', 2, { ttl: '1s' }))).toBe('ttl');
    expect(consul.lock('k', { ttl: '10s' }).key).toBe('k');
    expect(consul.lock('k', { ttl: '24h' }).key).toBe('k');
  });

  it('refuses a lock-delay over 60s', () => {
    expect(optionOf(() => consul.lock('k', { lockDelay: '61s' }))).toBe('lockDelay');
    expect(optionOf(() => consul.leader('k', { lockDelay: '2m' }))).toBe('lockDelay');
    expect(consul.lock('k', { lockDelay: '0s' })).toBeDefined();
    expect(consul.lock('k', { lockDelay: '60s' })).toBeDefined();
  });

  it('refuses empty keys and keys with //', () => {
    expect(optionOf(() => consul.lock(''))).toBe('key');
    expect(optionOf(() => consul.lock('/'))).toBe('key');
    expect(optionOf(() => consul.lock('a//b'))).toBe('key');
    expect(optionOf(() => consul.lock('a//b', { goCompatible: true }))).toBe('key');
    expect(optionOf(() => consul.leader('jobs//leader'))).toBe('key');
    expect(optionOf(() => consul.semaphore('', 2))).toBe('prefix');
    expect(optionOf(() => consul.semaphore('sem//x', 2))).toBe('prefix');
    expect(consul.lock('/jobs/a').key).toBe('jobs/a');
    expect(consul.lock('jobs', { goCompatible: true }).key).toBe('jobs/.lock');
  });

  it('names other bad options', () => {
    expect(optionOf(() => consul.semaphore('p', 0))).toBe('limit');
    expect(optionOf(() => consul.semaphore('p', 1.5))).toBe('limit');
    expect(optionOf(() => consul.lock('k', { monitorRetries: -1 }))).toBe('monitorRetries');
    expect(optionOf(() => consul.lock('k', { value: 42 as unknown as string }))).toBe('value');
    expect(optionOf(() => consul.lock('k', { session: '' }))).toBe('session');
    expect(optionOf(() => consul.lock('k', { sessionName: ' ' }))).toBe('sessionName');
    expect(optionOf(() => consul.lock('k', { lockWait: '0s' }))).toBe('lockWait');
    expect(optionOf(() => consul.lock('k', { nodeChecks: 'x' as unknown as string[] }))).toBe(
      'nodeChecks',
    );
    expect(optionOf(() => consul.leader('k', { serviceChecks: [''] }))).toBe('serviceChecks[0]');
    expect(
      optionOf(() => consul.leader('k', { session: 'x' } as unknown as Record<string, never>)),
    ).toBe('session');
  });

  it('rejects a bad acquire timeout or withLock key before sending', async () => {
    await expect(consul.withLock('', () => 1)).rejects.toMatchObject({ option: 'key' });
    await expect(consul.lock('k').acquire({ timeout: 'never' })).rejects.toMatchObject({
      option: 'timeout',
    });
  });

  it('reports the lock error kinds', () => {
    const lost = new ConsulLockError('key-taken', 'taken', { key: 'k' });
    expect(lost.code).toBe('CONSUL_LOCK');
    expect(lost.lost).toBe(true);
    expect(new ConsulLockError('released', 'done').lost).toBe(false);
    expect(new ConsulLockError('timeout', 'slow').retryable).toBe(true);
  });
});
