import { ConsulError, ConsulTimeoutError } from '../../src';
import type * as Errors from '../../src/errors';

/** A second, independent copy of the errors module, as a duplicated package install would load. */
function secondCopy(): typeof Errors {
  let copy: typeof Errors | undefined;
  jest.isolateModules(() => {
    copy = jest.requireActual<typeof Errors>('../../src/errors');
  });
  return copy as typeof Errors;
}

describe('instanceof ConsulError (core README, "Errors")', () => {
  it('holds for errors of another copy of the package, both ways', () => {
    const other = secondCopy();
    expect(other.ConsulError).not.toBe(ConsulError);
    const foreign = new other.ConsulTimeoutError('call timed out', {});
    expect(foreign instanceof ConsulError).toBe(true);
    expect(new ConsulTimeoutError('call timed out', {}) instanceof other.ConsulError).toBe(true);
    expect(foreign).toMatchObject({ code: 'CONSUL_TIMEOUT', retryable: true });
  });

  it('still tells other errors apart', () => {
    const other = secondCopy();
    expect(new Error('plain') instanceof ConsulError).toBe(false);
    expect({ code: 'CONSUL_TIMEOUT' } instanceof other.ConsulError).toBe(false);
  });
});
