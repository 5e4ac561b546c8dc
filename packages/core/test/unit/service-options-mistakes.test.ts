import { ConsulOptionError } from '../../src';
import { resolveServiceOptions } from '../../src/adapter';
import { planRegistration } from '../../src/registration/check-plan';
import { resolveRegistrationOptions } from '../../src/registration/registration-options';

/**
 * Adapter and registration options that used to be accepted (or blamed on the wrong path); found
 * by the chaos fuzz's oracle (tests/chaos/test/bad-input.test.ts).
 */

/** Node's timer limit (2^31 - 1 ms): a longer setTimeout fires after 1 ms. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConsulOptionError);
    return (err as ConsulOptionError).option;
  }
  return '(accepted)';
}

const lifecycle = (options: Record<string, unknown>) =>
  refusal(() => resolveServiceOptions({ service: { name: 'web' }, ...options }));

describe('resolveServiceOptions: mistakes are refused naming the option', () => {
  it.each(['checkTimeout', 'drain', 'deregisterTimeout'])(
    '%s longer than a Node timer can wait (it ended after 1 ms: every check "timed out")',
    (option) => {
      expect(lifecycle({ [option]: '1000h' })).toBe(option);
      expect(lifecycle({ [option]: MAX_TIMER_MS + 1 })).toBe(option);
      expect(lifecycle({ [option]: MAX_TIMER_MS })).toBe('(accepted)');
    },
  );

  it.each(['checkTimeout', 'drain', 'deregisterTimeout', 'consul'])(
    '%s: null is refused, not taken for "not given"',
    (option) => {
      expect(lifecycle({ [option]: null })).toBe(option);
    },
  );

  it.each(['port', 'address'])(
    'service.%s: null is refused, not replaced by the bound one',
    (f) => {
      expect(lifecycle({ service: { name: 'web', [f]: null } })).toBe(`service.${f}`);
    },
  );

  it.each(['ftp://x/h', 'health'])(
    'service.check.http %j is blamed on service.check.http, not on its place in checks',
    (http) => {
      expect(lifecycle({ service: { name: 'web', check: { http } } })).toBe('service.check.http');
      expect(
        lifecycle({ service: { name: 'web', checks: [{ ttl: '10s' }], check: { http } } }),
      ).toBe('service.check.http');
    },
  );
});

describe('planRegistration / registration options: mistakes are refused naming the option', () => {
  const def = { name: 'web', port: 8080, address: '127.0.0.1' };

  it('options.deregisterCriticalServiceAfter: null is refused, not the default', () => {
    expect(
      refusal(() => planRegistration(def, { deregisterCriticalServiceAfter: null as never })),
    ).toBe('options.deregisterCriticalServiceAfter');
  });

  it.each([null, 'soon', '500ms'])(
    'options.defaultTtl %j is refused even when the definition has its own checks',
    (defaultTtl) => {
      const withChecks = { ...def, checks: [{ ttl: '10s' }] };
      expect(refusal(() => planRegistration(withChecks, { defaultTtl: defaultTtl as never }))).toBe(
        'options.defaultTtl',
      );
    },
  );

  it('options.heartbeatInterval longer than a Node timer can wait is refused', () => {
    expect(refusal(() => resolveRegistrationOptions({ heartbeatInterval: '1000h' }))).toBe(
      'options.heartbeatInterval',
    );
  });
});
