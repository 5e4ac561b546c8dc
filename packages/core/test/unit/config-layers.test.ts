import { type KvEntry } from '../../src/endpoints/kv';
import { ConsulConfigError } from '../../src/errors';
import { planWatches, resolveLayers } from '../../src/config/layers';
import { normalizeConfigOptions } from '../../src/config/options';

function entry(key: string, value: string, modifyIndex = 10): KvEntry {
  return {
    key,
    value,
    rawValue: Buffer.from(value),
    flags: 0n,
    createIndex: 1,
    modifyIndex,
    lockIndex: 0,
    session: undefined,
  };
}

describe('config layers', () => {
  it('first layer wins, keys are relative, provenance is the Consul key', () => {
    const layers = ['config/app/', 'config/application/'];
    const resolved = resolveLayers(layers, undefined, [
      entry('config/application/timeout', '5s'),
      entry('config/application/region', 'eu'),
      entry('config/app/timeout', '3s'),
      entry('config/app/', ''), // folder placeholder made by the UI
      entry('config/app/db/host', 'h'),
    ]);
    expect([...resolved.keys()].sort()).toEqual(['db/host', 'region', 'timeout']);
    expect(resolved.get('timeout')?.entry.key).toBe('config/app/timeout');
    expect(resolved.get('region')?.entry.key).toBe('config/application/region');
  });

  it('applies a selection and keeps the newest write of a key seen twice', () => {
    const resolved = resolveLayers(['a/'], new Set(['x']), [
      entry('a/x', 'old', 5),
      entry('a/x', 'new', 9),
      entry('a/y', 'ignored'),
    ]);
    expect([...resolved.keys()]).toEqual(['x']);
    expect(resolved.get('x')?.entry.value).toBe('new');
  });

  it('plans one list per layer, dropping nested prefixes', () => {
    expect(planWatches(['config/app/', 'config/'], undefined)).toEqual({
      lists: ['config/'],
      gets: [],
    });
    expect(planWatches(['b/', 'a/'], new Set(['x']))).toEqual({ lists: ['a/', 'b/'], gets: [] });
  });

  it('groups absolute keys by folder and gets root keys alone', () => {
    const plan = planWatches(
      [''],
      new Set(['config/cdn/timeout', 'config/cdn/limits', 'config/cdn/deep/x', 'root']),
    );
    expect(plan).toEqual({ lists: ['config/cdn/'], gets: ['root'] });
  });
});

describe('config options', () => {
  it('normalizes prefixes into layers, prefix first', () => {
    const opts = normalizeConfigOptions({ prefix: '/config/app', layers: ['config/application/'] });
    expect(opts.layers).toEqual(['config/app/', 'config/application/']);
    expect(opts.selection).toBeUndefined();
    expect(opts.format).toBe('auto');
    expect(opts.debounceMs).toBe(100);
    expect(opts.watch).toBe(true);
  });

  it('treats keys without a prefix as absolute and selected', () => {
    const opts = normalizeConfigOptions({
      keys: { 'config/cdn/limits': { parse: 'json', default: { max: 1 } } },
    });
    expect(opts.layers).toEqual(['']);
    expect([...(opts.selection ?? [])]).toEqual(['config/cdn/limits']);
    expect(opts.keyOptions.get('config/cdn/limits')?.parse).toBe('json');
  });

  it('with a prefix, a key record only adds options', () => {
    const opts = normalizeConfigOptions({ prefix: 'p/', keys: { limits: { parse: 'json' } } });
    expect(opts.selection).toBeUndefined();
    expect(normalizeConfigOptions({ prefix: 'p/', keys: ['a', 'b'] }).selection).toEqual(
      new Set(['a', 'b']),
    );
  });

  it.each([
    [{}, 'prefix'],
    [{ prefix: 'a//b' }, 'prefix'],
    [{ prefix: 3 }, 'prefix'],
    [{ layers: [] }, 'layers'],
    [{ layers: ['ok/', ''], keys: [''] }, 'keys[0]'],
    [{ layers: ['ok/', 'x//'] }, 'layers[1]'],
    [{ prefix: 'p/', keys: ['a/'] }, 'keys[0]'],
    [{ prefix: 'p/', keys: { a: 'json' } }, 'keys.a'],
    [{ prefix: 'p/', keys: { a: { parse: 'xml' } } }, 'keys.a.parse'],
    [{ prefix: 'p/', format: 'toml' }, 'format'],
    [{ prefix: 'p/', schema: { validate: () => true } }, 'schema'],
    [{ prefix: 'p/', debounce: '1 second' }, 'debounce'],
    [{ prefix: 'p/', optional: 'yes' }, 'optional'],
    [{ keys: {} }, 'keys'],
  ])('rejects %j naming %s', (options, option) => {
    try {
      normalizeConfigOptions(options);
      throw new Error('expected a ConsulConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConsulConfigError);
      expect((err as ConsulConfigError).option).toBe(option);
    }
  });
});
