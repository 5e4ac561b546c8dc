import { Consul, silentLogger } from '../../src';

// A duration something waits on (a sleep, a timeout of our own) above Node's longest timer
// (2^31 - 1 ms, about 24.8 days) would end after 1 ms: it is refused naming the option.

const TOO_LONG = '597h'; // 2,149,200,000 ms
const LONGEST_OK = '596h';
const consul = new Consul({ address: 'http://127.0.0.1:1', logger: silentLogger });
afterAll(() => consul.close());

/** Whatever `make` throws or rejects with (closing what it made when it succeeds). */
async function failureOf(make: () => unknown): Promise<unknown> {
  try {
    const made = (await make()) as { close?: () => unknown; stop?: () => unknown } | undefined;
    await made?.close?.();
    await made?.stop?.();
    return undefined;
  } catch (err) {
    return err;
  }
}

const cases: Array<[string, (value: string) => unknown]> = [
  ['debounce', (v) => consul.config({ prefix: 'p/', debounce: v, watch: false })],
  ['maxDelay', (v) => consul.config({ prefix: 'p/', maxDelay: v, watch: false })],
  ['backoff.min', (v) => consul.watchKey('k', { backoff: { min: v, max: v } })],
  ['backoff.max', (v) => consul.watchKey('k', { backoff: { max: v } })],
  ['minInterval', (v) => consul.watchKey('k', { minInterval: v })],
  ['timeout', (v) => consul.http('svc', { timeout: v })],
  [
    'ejection.baseEjectionTime',
    (v) => consul.http('svc', { ejection: { baseEjectionTime: v, maxEjectionTime: v } }),
  ],
  ['ejection.maxEjectionTime', (v) => consul.http('svc', { ejection: { maxEjectionTime: v } })],
  ['lockWait', (v) => consul.lock('k', { lockWait: v })],
  ['semaphoreWait', (v) => consul.semaphore('p/', 2, { semaphoreWait: v })],
  ['readyTimeout', (v) => consul.interceptor({ readyTimeout: v })],
];

describe.each(cases)('%s', (option, make) => {
  it(`refuses ${TOO_LONG} naming the option`, async () => {
    expect(await failureOf(() => make(TOO_LONG))).toMatchObject({
      code: 'CONSUL_CONFIG',
      option,
      message: expect.stringContaining('the longest Node timer'),
    });
  });

  it(`accepts ${LONGEST_OK}`, async () => {
    expect(await failureOf(() => make(LONGEST_OK))).toBeUndefined();
  });
});

it('refuses an acquire timeout above the longest timer', async () => {
  const lock = consul.lock('k');
  await expect(lock.acquire({ timeout: TOO_LONG })).rejects.toMatchObject({
    code: 'CONSUL_CONFIG',
    option: 'timeout',
    message: expect.stringContaining('the longest Node timer'),
  });
});
