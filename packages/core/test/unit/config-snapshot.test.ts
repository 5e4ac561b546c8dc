import { ConsulConfigValidationError } from '../../src/config-store/errors';
import { type StandardSchemaV1, validateSnapshot } from '../../src/config-store/schema';
import { deepFreeze, diffSnapshots, freezeSnapshot } from '../../src/config-store/snapshot';

/** A hand-written Standard Schema v1 validator (what zod/valibot expose under `~standard`). */
function standardSchema(
  check: (value: Record<string, unknown>) => StandardSchemaV1.Result<Record<string, unknown>>,
  async = false,
): StandardSchemaV1<unknown, Record<string, unknown>> {
  return {
    '~standard': {
      version: 1,
      vendor: 'test',
      validate: (value) => {
        const result = check(value as Record<string, unknown>);
        return async ? Promise.resolve(result) : result;
      },
    },
  };
}

describe('config snapshot', () => {
  it('deep-freezes values but leaves buffers usable', () => {
    const snap = freezeSnapshot<Record<string, unknown>>(
      { limits: { max: 5, tags: ['a'] }, raw: Buffer.from('x') },
      { limits: 'p/limits' },
      1,
    );
    expect(Object.isFrozen(snap)).toBe(true);
    expect(Object.isFrozen(snap.values)).toBe(true);
    expect(Object.isFrozen((snap.values.limits as { tags: string[] }).tags)).toBe(true);
    expect(Object.isFrozen(snap.sources)).toBe(true);
    expect(() => {
      (snap.values.limits as { max: number }).max = 6;
    }).toThrow(TypeError);
    expect(Buffer.isBuffer(snap.values.raw)).toBe(true);
    expect(deepFreeze(null)).toBeNull();
  });

  it('diffs values structurally and reports source changes and deletions', () => {
    const before = freezeSnapshot(
      { a: { x: 1 }, b: 'same', c: 'gone', d: 'moved' },
      { a: 'app/a', b: 'app/b', c: 'app/c', d: 'app/d' },
      1,
    );
    const after = freezeSnapshot(
      { a: { x: 1 }, b: 'same', c: 'default-c', d: 'moved', e: 1 },
      { a: 'app/a', b: 'app/b', d: 'shared/d', e: 'app/e' },
      2,
    );
    const changes = diffSnapshots(before, after);
    expect(changes).toEqual([
      {
        key: 'c',
        previous: 'gone',
        value: 'default-c',
        source: undefined,
        previousSource: 'app/c',
        deleted: true,
      },
      { key: 'd', previous: 'moved', value: 'moved', source: 'shared/d', previousSource: 'app/d' },
      { key: 'e', previous: undefined, value: 1, source: 'app/e', previousSource: undefined },
    ]);
    expect(diffSnapshots(after, after)).toEqual([]);
  });
});

describe('config schema', () => {
  const values = Object.freeze({ port: 80, host: 'h' });

  it('accepts a function returning nothing, or a transformed copy', async () => {
    expect(await validateSnapshot(() => undefined, values, [])).toBe(values);
    expect(await validateSnapshot((v) => ({ ...v, port: 81 }), values, [])).toEqual({
      port: 81,
      host: 'h',
    });
    expect(await validateSnapshot(async (v) => v, values, [])).toBe(values);
  });

  it('a throwing function blames the changed keys, or the key it names', async () => {
    const err = await validateSnapshot(
      () => {
        throw new Error('port too low');
      },
      values,
      ['port'],
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulConfigValidationError);
    expect(err).toMatchObject({ key: 'port', keys: ['port'], code: 'CONSUL_CONFIG_INVALID' });
    expect((err as Error).message).toContain('port too low');
    const named = await validateSnapshot(
      () => {
        throw Object.assign(new Error('bad host'), { key: 'host' });
      },
      values,
      ['port'],
    ).catch((e: unknown) => e);
    expect(named).toMatchObject({ key: 'host' });
  });

  it.each([false, true])('uses Standard Schema issues and outputs (async %s)', async (async) => {
    const schema = standardSchema(
      (v) =>
        typeof v.port === 'number' && v.port > 1024
          ? { value: { ...v, checked: true } }
          : { issues: [{ message: 'must be > 1024', path: [{ key: 'port' }, 'inner'] }] },
      async,
    );
    const err = await validateSnapshot(schema, values, ['host']).catch((e: unknown) => e);
    expect(err).toMatchObject({ key: 'port', keys: ['port'] });
    expect((err as ConsulConfigValidationError).issues).toEqual([
      { message: 'must be > 1024', path: ['port', 'inner'] },
    ]);
    expect(await validateSnapshot(schema, { port: 8080 }, [])).toEqual({
      port: 8080,
      checked: true,
    });
  });

  it('rejects a schema output that is not an object of keys', async () => {
    const err = await validateSnapshot(() => 'nope' as never, values, ['a']).catch((e) => e);
    expect(err).toMatchObject({ key: 'a' });
  });
});
