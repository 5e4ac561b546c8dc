import { ConsulOptionError } from '../src';
import { deepEqual } from '../src/watch/deep-equal';
import { useAgent } from './support/agent';

describe('kv', () => {
  const fixture = useAgent();

  it('puts and gets a value with its metadata', async () => {
    const consul = fixture.client();
    expect(await consul.kv.put('kv-test/a b', 'hello')).toBe(true);
    const entry = await consul.kv.get('kv-test/a b');
    expect(entry?.value).toBe('hello');
    expect(entry?.key).toBe('kv-test/a b');
    expect(entry?.meta.index).toBeGreaterThan(0);
    expect(entry?.meta.knownLeader).toBe(true);
  });

  it('keeps a read entry plain to look at: meta hidden from keys, JSON, toEqual and deepEqual', async () => {
    const consul = fixture.client();
    await consul.kv.put('kv-test/plain', 'v');
    const first = await consul.kv.get('kv-test/plain');
    const second = await consul.kv.get('kv-test/plain');
    const fields = ['key', 'value', 'rawValue', 'flags', 'createIndex', 'modifyIndex', 'lockIndex'];
    expect(Object.keys(first ?? {})).toEqual([...fields, 'session']);
    expect(JSON.stringify({ ...first, flags: undefined, rawValue: undefined })).not.toContain(
      'meta',
    );
    expect(first).toEqual({
      key: 'kv-test/plain',
      value: 'v',
      rawValue: Buffer.from('v'),
      flags: 0n,
      createIndex: first?.createIndex,
      modifyIndex: first?.modifyIndex,
      lockIndex: 0,
      session: undefined,
    });
    expect(first?.meta).not.toBe(second?.meta);
    expect(deepEqual(first, second)).toBe(true);
    expect({ ...first }).not.toHaveProperty('meta');
  });

  it('maps a read entry and a listed entry to the same fields (two mappings, one shape)', async () => {
    const consul = fixture.client();
    await consul.kv.put('kv-test/shape', 'v', { flags: 7 });
    const read = await consul.kv.get('kv-test/shape');
    const [listed] = await consul.kv.list('kv-test/shape');
    expect(Object.keys(read ?? {})).toEqual(Object.keys(listed ?? {}));
    expect({ ...read }).toEqual({ ...listed });
  });

  it('returns undefined for a missing key but still reports the index', async () => {
    const consul = fixture.client();
    let index = 0;
    const entry = await consul.kv.get('kv-test/missing', { onMeta: (m) => (index = m.index) });
    expect(entry).toBeUndefined();
    expect(index).toBeGreaterThan(0);
  });

  it('keeps uint64 flags lossless (the Go lock flag)', async () => {
    const consul = fixture.client();
    const goLockFlag = 0x2ddccbc058a50c18n;
    await consul.kv.put('kv-test/flags', 'x', { flags: goLockFlag });
    expect((await consul.kv.get('kv-test/flags'))?.flags).toBe(goLockFlag);
  });

  it('compare-and-set answers false on a stale index', async () => {
    const consul = fixture.client();
    await consul.kv.put('kv-test/cas', 'v1');
    const first = await consul.kv.get('kv-test/cas');
    await consul.kv.put('kv-test/cas', 'v2');
    expect(await consul.kv.put('kv-test/cas', 'v3', { cas: first?.modifyIndex })).toBe(false);
    expect(await consul.kv.put('kv-test/cas', 'new', { cas: 0 })).toBe(false);
    expect((await consul.kv.get('kv-test/cas'))?.value).toBe('v2');
  });

  it('lists, lists keys with a separator, and deletes recursively', async () => {
    const consul = fixture.client();
    await consul.kv.put('kv-list/a', '1');
    await consul.kv.put('kv-list/b/c', '2');
    expect((await consul.kv.list('kv-list/')).map((e) => e.key)).toEqual([
      'kv-list/a',
      'kv-list/b/c',
    ]);
    expect(await consul.kv.keys('kv-list/', { separator: '/' })).toEqual([
      'kv-list/a',
      'kv-list/b/',
    ]);
    expect(await consul.kv.delete('kv-list/', { recurse: true })).toBe(true);
    expect(await consul.kv.list('kv-list/')).toEqual([]);
  });

  it('rejects empty keys and keys with // before sending anything', async () => {
    const consul = fixture.client();
    await expect(consul.kv.get('')).rejects.toBeInstanceOf(ConsulOptionError);
    await expect(consul.kv.put('a//b', 'x')).rejects.toMatchObject({ option: 'key' });
  });
});
