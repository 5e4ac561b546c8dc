import { ConsulBadRequestError, ConsulUnavailableError } from '../../src';
import { retryUntilDone } from '../../src/registration/retry';

/** A `once` that fails with `errors` in turn, then succeeds; counts its calls. */
function failing(...errors: Error[]) {
  const calls = { count: 0 };
  const once = async () => {
    const error = errors[calls.count++];
    if (error) throw error;
  };
  return { once, calls };
}

const unavailable = () => new ConsulUnavailableError('agent away', {});
const refused = (err: unknown) => err instanceof ConsulBadRequestError;

describe('retryUntilDone (the registration retry loop)', () => {
  it('retries until the call succeeds, reporting each failure with its count', async () => {
    const { once, calls } = failing(unavailable(), unavailable());
    const failed = jest.fn();
    const outcome = await retryUntilDone(once, new AbortController().signal, {
      minMs: 2,
      maxMs: 4,
      failed,
    });
    expect(outcome).toEqual({ kind: 'done' });
    expect(calls.count).toBe(3);
    expect(failed.mock.calls.map(([, consecutive]) => consecutive as number)).toEqual([1, 2]);
  });

  it('ends with the refusal at once, without reporting it as a retried failure', async () => {
    const bad = new ConsulBadRequestError('bad definition', { status: 400 });
    const { once, calls } = failing(bad);
    const failed = jest.fn();
    const outcome = await retryUntilDone(once, new AbortController().signal, {
      minMs: 2,
      maxMs: 4,
      refused,
      failed,
    });
    expect(outcome).toEqual({ kind: 'refused', error: bad });
    expect(calls.count).toBe(1);
    expect(failed).not.toHaveBeenCalled();
  });

  it('sizes the pause by the failure when maxMs is a function', async () => {
    const first = unavailable();
    const { once } = failing(first);
    const maxMs = jest.fn(() => 4);
    await expect(
      retryUntilDone(once, new AbortController().signal, { minMs: 2, maxMs }),
    ).resolves.toEqual({ kind: 'done' });
    expect(maxMs).toHaveBeenCalledWith(first);
  });

  it('stops with the last failure when the signal aborts during a pause', async () => {
    const stop = new AbortController();
    const last = unavailable();
    const { once, calls } = failing(last, unavailable());
    const outcome = await retryUntilDone(once, stop.signal, {
      minMs: 60_000,
      maxMs: 60_000,
      failed: () => queueMicrotask(() => stop.abort()),
    });
    expect(outcome).toEqual({ kind: 'stopped', error: last });
    expect(calls.count).toBe(1);
  });

  it('never calls once when already aborted', async () => {
    const { once, calls } = failing();
    const outcome = await retryUntilDone(once, AbortSignal.abort(), { minMs: 2, maxMs: 4 });
    expect(outcome).toEqual({ kind: 'stopped', error: undefined });
    expect(calls.count).toBe(0);
  });

  it('starts no try after the deadline, and cuts the pause to it', async () => {
    const last = unavailable();
    const { once, calls } = failing(last, unavailable(), unavailable());
    // Minutes of backoff would time the test out unless the pause ends at the deadline.
    const outcome = await retryUntilDone(once, new AbortController().signal, {
      minMs: 300_000,
      maxMs: 300_000,
      deadline: Date.now() + 20,
    });
    expect(outcome).toEqual({ kind: 'stopped', error: last });
    expect(calls.count).toBe(1);
  });
});
