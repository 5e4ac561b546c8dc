import { type Consul, ConsulUnavailableError, silentLogger } from '../src';
import { useAgent } from './support/agent';
import {
  type AnswerDroppingProxy,
  startAnswerDroppingProxy,
} from './support/answer-dropping-proxy';

/**
 * A call made with the answer of one of its requests lost (after `skip` requests that go through),
 * after an optional setup made without faults.
 */
interface Case {
  setup?: (consul: Consul) => Promise<unknown>;
  call: (consul: Consul) => Promise<unknown>;
  skip?: number;
}

const REPEATED: Record<string, Case> = {
  'a read (kv.get)': { call: (c) => c.kv.get('retries/read') },
  'a plain KV write': { call: (c) => c.kv.put('retries/plain', 'v') },
  'a service registration': {
    call: (c) => c.agent.service.register({ name: 'retries-svc', id: 'retries-svc', port: 1 }),
  },
  'a TTL update': {
    setup: (c) =>
      c.agent.service.register({
        name: 'retries-ttl',
        id: 'retries-ttl',
        port: 1,
        check: { checkId: 'retries-ttl:ttl', ttl: '30s' },
      }),
    call: (c) => c.agent.check.pass('retries-ttl:ttl'),
  },
  'a read-only transaction': { call: (c) => c.txn([{ verb: 'get-tree', key: 'retries/' }]) },
};

const NOT_REPEATED: Record<string, Case> = {
  'a CAS write': { call: (c) => c.kv.put('retries/cas', 'v', { cas: 0 }) },
  'a lock write (acquire)': {
    call: async (c) => {
      const session = await c.session.create({ lockDelay: 0 });
      return c.kv.put('retries/lock', 'v', { acquire: session });
    },
    skip: 1, // the session creation goes through
  },
  'a session creation': { call: (c) => c.session.create() },
  'a transaction that writes': {
    call: (c) => c.txn([{ verb: 'set', key: 'retries/txn', value: 'v' }]),
  },
  'a blocking query': {
    setup: (c) => c.kv.put('retries/blocking', 'v'),
    call: async (c) => {
      const { modifyIndex } = (await c.kv.get('retries/blocking')) as { modifyIndex: number };
      return c.kv.get('retries/blocking', { index: modifyIndex, wait: '500ms' });
    },
    skip: 1, // the plain read of the index goes through
  },
};

/**
 * Which calls the transport repeats when the answer is lost after the request reached Consul (the
 * connection is reset): idempotent calls only (core README, "Per-call options and metadata").
 */
describe('transport retries after a lost answer', () => {
  const fx = useAgent();
  let proxy: AnswerDroppingProxy;
  let consul: Consul;

  beforeAll(async () => {
    proxy = await startAnswerDroppingProxy(fx.agent.address);
    consul = fx.client({
      address: proxy.address,
      retry: { retries: 2, minDelay: 1, maxDelay: 5 },
      logger: silentLogger,
    });
  });

  afterAll(async () => {
    await consul.close();
    await proxy.close();
  });

  /** Runs `setup`, then `call` with one answer lost; returns its outcome and what it sent. */
  async function withLostAnswer({ setup, call, skip = 0 }: Case) {
    await setup?.(consul);
    const before = proxy.requests.length;
    proxy.loseAnswerOf(before + skip);
    const outcome = await call(consul).then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
    proxy.loseAnswerOf(Infinity);
    return { outcome, sent: proxy.requests.slice(before + skip) };
  }

  it.each(Object.keys(REPEATED))('repeats %s: sent again, and the call succeeds', async (what) => {
    const { outcome, sent } = await withLostAnswer(REPEATED[what] as Case);
    expect(outcome.ok).toBe(true);
    expect(sent).toHaveLength(2);
    expect(sent[1]).toBe(sent[0]);
  });

  it.each(Object.keys(NOT_REPEATED))(
    'never repeats %s: sent once, and the call fails with ConsulUnavailableError',
    async (what) => {
      const { outcome, sent } = await withLostAnswer(NOT_REPEATED[what] as Case);
      expect(outcome).toMatchObject({ ok: false, error: expect.any(ConsulUnavailableError) });
      expect(sent).toHaveLength(1);
    },
  );
});
