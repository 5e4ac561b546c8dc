import { freePorts } from '@consulkit/testing';
import { ConsulOptionError, KV_MAX_VALUE_SIZE, silentLogger } from '../src';
import { useAgent } from './support/agent';

/** The KV rules of the core README ("KV"), against a real agent. */
describe('kv keys and limits', () => {
  const fx = useAgent();

  it('encodes keys for the URL: reserved and non-ASCII characters round-trip', async () => {
    const consul = fx.client();
    const key = 'kv-keys/a b?c#d%e&f=g+h/ünï/😀';
    expect(await consul.kv.put(key, 'v')).toBe(true);
    expect((await consul.kv.get(key))?.key).toBe(key);
    expect(await consul.kv.keys('kv-keys/')).toEqual([key]);
  });

  it('drops a leading / from a key', async () => {
    const consul = fx.client();
    await consul.kv.put('/kv-slash/a', 'v');
    expect((await consul.kv.get('kv-slash/a'))?.value).toBe('v');
    expect((await consul.kv.get('/kv-slash/a'))?.key).toBe('kv-slash/a');
  });

  it('refuses a value above 512 KiB before sending, and stores one of exactly 512 KiB', async () => {
    expect(KV_MAX_VALUE_SIZE).toBe(512 * 1024);
    // Nothing listens on this port: had the value been sent, the error would be a connection one.
    const [closed] = await freePorts(1);
    const offline = fx.client({ address: `http://127.0.0.1:${closed}`, logger: silentLogger });
    await expect(
      offline.kv.put('kv-size/big', Buffer.alloc(KV_MAX_VALUE_SIZE + 1)),
    ).rejects.toMatchObject({ name: 'ConsulOptionError', option: 'value' });
    await expect(
      offline.kv.put('kv-size/big', 'é'.repeat(KV_MAX_VALUE_SIZE / 2 + 1)),
    ).rejects.toBeInstanceOf(ConsulOptionError);
    const consul = fx.client();
    expect(await consul.kv.put('kv-size/max', Buffer.alloc(KV_MAX_VALUE_SIZE, 1))).toBe(true);
    expect((await consul.kv.get('kv-size/max'))?.rawValue?.length).toBe(KV_MAX_VALUE_SIZE);
  });

  it('lists by plain string prefix: "app" also matches "apple"', async () => {
    const consul = fx.client();
    await consul.kv.put('kv-prefix/app/x', '1');
    await consul.kv.put('kv-prefix/apple', '2');
    expect((await consul.kv.list('kv-prefix/app')).map((e) => e.key)).toEqual([
      'kv-prefix/app/x',
      'kv-prefix/apple',
    ]);
    expect((await consul.kv.list('kv-prefix/app/')).map((e) => e.key)).toEqual(['kv-prefix/app/x']);
  });

  it('never deletes with cas: 0, and refuses recurse with cas before sending', async () => {
    const consul = fx.client();
    await consul.kv.put('kv-cas/a', 'v');
    expect(await consul.kv.delete('kv-cas/a', { cas: 0 })).toBe(false);
    expect((await consul.kv.get('kv-cas/a'))?.value).toBe('v');
    const [closed] = await freePorts(1);
    const offline = fx.client({ address: `http://127.0.0.1:${closed}`, logger: silentLogger });
    await expect(offline.kv.delete('kv-cas/', { recurse: true, cas: 1 })).rejects.toMatchObject({
      name: 'ConsulOptionError',
      option: 'cas',
    });
  });
});
