import { ConsulOptionError, ConsulConflictError } from '../src';
import { TxnApi, TXN_MAX_OPS } from '../src/endpoints/txn';
import { useAgent } from './support/agent';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('txn endpoint', () => {
  const fx = useAgent();

  it('commits KV operations atomically and maps results to KvEntry', async () => {
    const consul = fx.client();
    const goLockFlag = 0x2ddccbc058a50c18n;
    const res = await consul.txn.run([
      { verb: 'set', key: 'txn/a', value: 'alpha' },
      { verb: 'set', key: 'txn/b', value: new Uint8Array([0, 255, 1]), flags: goLockFlag },
      { verb: 'get', key: 'txn/a' },
      { verb: 'get-tree', key: 'txn/' },
    ]);
    expect(res.results.map((e) => e.key)).toEqual(['txn/a', 'txn/b', 'txn/a', 'txn/a', 'txn/b']);
    expect(res.results[0]?.value).toBeNull(); // set results carry no value
    expect(res.results[2]?.value).toBe('alpha');
    expect(res.results[4]?.rawValue).toEqual(Buffer.from([0, 255, 1]));
    expect(res.results[4]?.flags).toBe(goLockFlag);
    expect((await consul.kv.get('txn/b'))?.flags).toBe(goLockFlag);
  });

  it('is callable directly, as consul.txn(ops)', async () => {
    const consul = fx.client();
    expect(consul.txn).toBeInstanceOf(TxnApi);
    await consul.kv.put('txn/call', 'x');
    const res = await consul.txn([{ verb: 'get', key: 'txn/call' }]);
    expect(res.results[0]?.value).toBe('x');
  });

  it('lock + get returns the acquiring ModifyIndex atomically; check-session fences writes', async () => {
    const consul = fx.client();
    const session = await consul.session.create({ lockDelay: 0 });
    const other = await consul.session.create({ lockDelay: 0 });
    const { results } = await consul.txn.run([
      { verb: 'lock', key: 'txn/lock', value: 'me', session },
      { verb: 'get', key: 'txn/lock' },
    ]);
    expect(results[1]).toMatchObject({ session, lockIndex: 1, value: 'me' });
    expect(results[1]?.modifyIndex).toBeGreaterThan(0);

    await consul.txn.run([
      { verb: 'check-session', key: 'txn/lock', session },
      { verb: 'set', key: 'txn/guarded', value: 'ok' },
    ]);
    const err = await consul.txn
      .run([
        { verb: 'check-session', key: 'txn/lock', session: other },
        { verb: 'set', key: 'txn/guarded', value: 'stolen' },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulConflictError);
    expect((err as ConsulConflictError).errors).toEqual([
      { opIndex: 0, what: expect.stringMatching(/failed session check/) },
    ]);
    expect((await consul.kv.get('txn/guarded'))?.value).toBe('ok');
    await consul.txn.run([{ verb: 'unlock', key: 'txn/lock', session }]);
    expect((await consul.kv.get('txn/lock'))?.session).toBeUndefined();
  });

  it('rolls back everything and lists each failed operation', async () => {
    const consul = fx.client();
    await consul.kv.put('txn/exists', '1');
    const current = await consul.kv.get('txn/exists');
    const err = await consul.txn
      .run([
        { verb: 'set', key: 'txn/rollback', value: 'never' },
        { verb: 'check-not-exists', key: 'txn/exists' },
        { verb: 'cas', key: 'txn/exists', value: '2', index: (current?.modifyIndex ?? 0) + 1000 },
      ])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulConflictError);
    const conflict = err as ConsulConflictError;
    expect(conflict.status).toBe(409);
    expect(conflict.retryable).toBe(false);
    expect(conflict.errors.map((e) => e.opIndex)).toEqual(expect.arrayContaining([1]));
    expect(conflict.errors.every((e) => typeof e.what === 'string' && e.what.length > 0)).toBe(
      true,
    );
    expect(await consul.kv.get('txn/rollback')).toBeUndefined();
  });

  it('supports cas, check-index, delete-cas, delete and delete-tree', async () => {
    const consul = fx.client();
    await consul.txn.run([
      { verb: 'cas', key: 'txn/c/one', value: 'v1', index: 0 },
      { verb: 'set', key: 'txn/c/two', value: 'v2' },
    ]);
    const one = await consul.kv.get('txn/c/one');
    const idx = one?.modifyIndex ?? 0;
    await consul.txn.run([
      { verb: 'check-index', key: 'txn/c/one', index: idx },
      { verb: 'delete-cas', key: 'txn/c/one', index: idx },
      { verb: 'delete', key: 'txn/c/missing' },
    ]);
    expect(await consul.kv.get('txn/c/one')).toBeUndefined();
    await consul.txn.run([{ verb: 'delete-tree', key: 'txn/c/' }]);
    expect(await consul.kv.list('txn/c/')).toEqual([]);
  });

  it('get-or-empty: a null entry on 1.9+, a rollback naming the verb on 1.8', async () => {
    const consul = fx.client();
    const [major, minor] = fx.agent.version.split('.').map(Number);
    const before19 = (major ?? 0) === 1 && (minor ?? 0) < 9;
    const outcome = await consul.txn.run([{ verb: 'get-or-empty', key: 'txn/absent' }]).then(
      (answer) => ({ entry: answer.results[0] }),
      (error: unknown) => ({ error }),
    );
    const rolledBack = {
      error: {
        code: 'CONSUL_CONFLICT',
        errors: [{ opIndex: 0, what: expect.stringMatching(/unknown KV verb/) as unknown }],
      },
    };
    const nullEntry = { entry: { key: 'txn/absent', value: null } };
    expect(outcome).toMatchObject(before19 ? rolledBack : nullEntry);
  });

  it('rejects more than 64 operations and bad operations before sending', async () => {
    const consul = fx.client({ address: 'http://127.0.0.1:1', retry: false });
    const ops = Array.from({ length: TXN_MAX_OPS + 1 }, (_, i) => ({
      verb: 'set' as const,
      key: `txn/many/${i}`,
      value: 'x',
    }));
    const err = await consul.txn.run(ops).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulOptionError);
    expect(err).toMatchObject({ option: 'ops', message: expect.stringMatching(/65 operations/) });
    const run = consul.txn.run.bind(consul.txn) as (ops: unknown) => Promise<unknown>;
    await expect(run([{ verb: 'explode', key: 'k' }])).rejects.toMatchObject({
      option: 'ops[0].verb',
    });
    await expect(run([{ verb: 'cas', key: 'k', value: 'v' }])).rejects.toMatchObject({
      option: 'ops[0].index',
    });
    await expect(run([{ verb: 'lock', key: 'k' }])).rejects.toMatchObject({
      option: 'ops[0].session',
    });
    await expect(run([{ verb: 'set', key: '', value: 'v' }])).rejects.toMatchObject({
      option: 'ops[0].key',
    });
    await expect(run([{ verb: 'set', key: 'k', value: 'v', flags: -1 }])).rejects.toMatchObject({
      option: 'ops[0].flags',
    });
    await expect(run([])).rejects.toMatchObject({ option: 'ops' });
  });

  it('commits exactly 64 operations', async () => {
    const consul = fx.client();
    const ops = Array.from({ length: TXN_MAX_OPS }, (_, i) => ({
      verb: 'set' as const,
      key: `txn/max/${i}`,
      value: String(i),
    }));
    expect((await consul.txn.run(ops)).results).toHaveLength(TXN_MAX_OPS);
  });
});
