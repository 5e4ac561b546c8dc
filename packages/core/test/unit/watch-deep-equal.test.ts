import { deepEqual } from '../../src/watch/deep-equal';
import { withMeta, type QueryMeta } from '../../src/query';

const meta = (index: number): QueryMeta => ({
  index,
  knownLeader: true,
  lastContact: 0,
  cacheHit: undefined,
  cacheAge: undefined,
  effectiveConsistency: undefined,
  requestTime: 1,
});

describe('watch deepEqual', () => {
  it('compares primitives, bigint included, with NaN equal to itself', () => {
    expect(deepEqual(1, 1)).toBe(true);
    expect(deepEqual('a', 'b')).toBe(false);
    expect(deepEqual(3304740253564472344n, 3304740253564472344n)).toBe(true);
    expect(deepEqual(3304740253564472344n, 3304740253564472345n)).toBe(false);
    expect(deepEqual(1n, 1)).toBe(false);
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(deepEqual(undefined, null)).toBe(false);
    expect(deepEqual(undefined, undefined)).toBe(true);
    expect(deepEqual(null, {})).toBe(false);
  });

  it('compares Buffers and Uint8Arrays by bytes', () => {
    expect(deepEqual(Buffer.from('abc'), Buffer.from('abc'))).toBe(true);
    expect(deepEqual(Buffer.from('abc'), Buffer.from('abd'))).toBe(false);
    expect(deepEqual(Buffer.from('abc'), Buffer.from('ab'))).toBe(false);
    expect(deepEqual(Buffer.from('abc'), new Uint8Array([97, 98, 99]))).toBe(true);
    const big = Buffer.from('xxabcxx');
    expect(deepEqual(big.subarray(2, 5), Buffer.from('abc'))).toBe(true);
    expect(deepEqual(new Uint16Array([1, 2]), new Uint16Array([1, 2]))).toBe(true);
    expect(deepEqual(new Uint16Array([1, 2]), new Uint16Array([1, 3]))).toBe(false);
  });

  it('compares arrays by position and length', () => {
    expect(deepEqual([1, [2, 3]], [1, [2, 3]])).toBe(true);
    expect(deepEqual([1, 2], [2, 1])).toBe(false);
    expect(deepEqual([1, 2], [1, 2, 3])).toBe(false);
    expect(deepEqual([], {})).toBe(false);
  });

  it('compares plain objects by own enumerable keys, whatever their order', () => {
    expect(deepEqual({ a: 1, b: { c: [1n] } }, { b: { c: [1n] }, a: 1 })).toBe(true);
    expect(deepEqual({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(deepEqual({ a: 1, b: undefined }, { a: 1, c: undefined })).toBe(false);
    expect(deepEqual({ a: undefined }, {})).toBe(false);
  });

  it('ignores the non-enumerable meta a read attaches', () => {
    const a = withMeta({ key: 'k', value: 'v', flags: 0n }, meta(10));
    const b = withMeta({ key: 'k', value: 'v', flags: 0n }, meta(42));
    expect(deepEqual(a, b)).toBe(true);
    const list1 = withMeta([{ key: 'k' }], meta(1));
    const list2 = withMeta([{ key: 'k' }], meta(2));
    expect(deepEqual(list1, list2)).toBe(true);
    expect(deepEqual(withMeta([{ key: 'k' }], meta(1)), withMeta([{ key: 'j' }], meta(1)))).toBe(
      false,
    );
  });

  it('compares dates, maps and sets by content', () => {
    expect(deepEqual(new Date(5), new Date(5))).toBe(true);
    expect(deepEqual(new Date(5), new Date(6))).toBe(false);
    expect(deepEqual(new Map([['a', { x: 1 }]]), new Map([['a', { x: 1 }]]))).toBe(true);
    expect(deepEqual(new Map([['a', 1]]), new Map([['b', 1]]))).toBe(false);
    expect(deepEqual(new Set([1, { y: 2 }]), new Set([{ y: 2 }, 1]))).toBe(true);
    expect(deepEqual(new Set([1, 2]), new Set([1, 3]))).toBe(false);
  });

  it('tells class instances apart by prototype', () => {
    class A {
      constructor(readonly x: number) {}
    }
    class B {
      constructor(readonly x: number) {}
    }
    expect(deepEqual(new A(1), new A(1))).toBe(true);
    expect(deepEqual(new A(1), new A(2))).toBe(false);
    expect(deepEqual(new A(1), new B(1))).toBe(false);
    expect(deepEqual(new A(1), { x: 1 })).toBe(false);
  });

  it('terminates on cyclic structures', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a.self = a;
    const b: Record<string, unknown> = { name: 'a' };
    b.self = b;
    expect(deepEqual(a, b)).toBe(true);
    const c: Record<string, unknown> = { name: 'c' };
    c.self = c;
    expect(deepEqual(a, c)).toBe(false);
  });
});
