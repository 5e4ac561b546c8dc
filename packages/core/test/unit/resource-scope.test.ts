import { Consul, ConsulClosedError, ConsulTimeoutError, silentLogger } from '../../src';
import { ResourceScope } from '../../src/adapter';

describe('ResourceScope', () => {
  let consul: Consul;
  beforeEach(() => {
    // No request is made: the scope only tracks closers here.
    consul = new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger });
  });
  afterEach(() => consul.close());

  it('closes in reverse order, bounds each closer, and reports failures without throwing', async () => {
    const scope = new ResourceScope(consul, { reason: 'The app is closing' });
    const order: string[] = [];
    scope.add(() => void order.push('first'));
    scope.add(() => new Promise(() => undefined)); // never settles (agent gone)
    scope.add(async () => {
      order.push('failing');
      throw new Error('release failed');
    });
    const forget = scope.add(() => void order.push('forgotten'));
    forget();
    const errors: unknown[] = [];
    await scope.close({ timeoutMs: 50, onError: (err) => errors.push(err) });
    expect(order).toEqual(['failing', 'first']);
    expect(errors).toHaveLength(2);
    expect(errors.some((e) => e instanceof ConsulTimeoutError)).toBe(true);
    expect(errors.some((e) => (e as Error).message === 'release failed')).toBe(true);
    expect(scope.signal.aborted).toBe(true);
    expect(scope.signal.reason).toBeInstanceOf(ConsulClosedError);
    expect((scope.signal.reason as Error).message).toBe('The app is closing');
  });

  it('is idempotent, refuses new recipes once closed, and leaves the client open', async () => {
    const scope = new ResourceScope(consul, { reason: 'The app has shut down' });
    let closes = 0;
    scope.add(() => void closes++);
    await Promise.all([scope.close(), scope.close()]);
    await scope.close();
    expect(closes).toBe(1);
    expect(scope.closed).toBe(true);
    expect(() => scope.lock('a')).toThrow(ConsulClosedError);
    expect(() => scope.config({ prefix: 'a/' })).toThrow('The app has shut down');
    expect(() => scope.service('users')).toThrow(ConsulClosedError);
    expect(() => scope.leader('a')).toThrow(ConsulClosedError);
    expect(consul.closed).toBe(false);
  });

  it('validates recipe options at once, naming them', () => {
    const scope = new ResourceScope(consul);
    expect(() => scope.lock('a', { ttl: '1s' })).toThrow(/"ttl"/);
    expect(() => scope.config({ prefix: 7 } as never)).toThrow(/"prefix"/);
  });
});
