import { ConsulTimeoutError } from '../errors';

/**
 * Settles like `promise`, or rejects with `ConsulTimeoutError` after `ms`: shutdown waits for
 * Consul (or anything needing it) only so long. The timer is cleared either way.
 */
export async function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new ConsulTimeoutError(`${what} did not complete within ${ms} ms`, {})),
      ms,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
