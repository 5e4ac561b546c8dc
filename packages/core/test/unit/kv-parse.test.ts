import { kvEntryFromWire, parseKvEntries } from '../../src/endpoints/kv';

const GO_LOCK_FLAG = 3304740253564472344n;
const MAX_U64 = 18446744073709551615n;
const TWO_53 = 9007199254740992n;

const entry = (key: string, flags: bigint | number) =>
  `{"LockIndex":0,"Key":"${key}","Flags":${flags},"Value":"eA==","CreateIndex":5,"ModifyIndex":6}`;

describe('KV answer parsing (plain JSON.parse, lossless fallback for big Flags)', () => {
  it('keeps small Flags as the plain parse gives them', () => {
    const wire = parseKvEntries(`[${entry('a', 0)},${entry('b', 9007199254740991)}]`);
    expect(wire.map((w) => w.Flags)).toEqual([0, 9007199254740991]);
    expect(wire.map((w) => kvEntryFromWire(w).flags)).toEqual([0n, 9007199254740991n]);
  });

  it('falls back to the lossless parse when any entry has Flags beyond 2^53', () => {
    const text = `[\n    ${entry('a', 7)},\n    ${entry('lock', GO_LOCK_FLAG)},\n    ${entry('max', MAX_U64)},\n    ${entry('edge', TWO_53)}\n]`;
    const flags = parseKvEntries(text).map((w) => kvEntryFromWire(w).flags);
    expect(flags).toEqual([7n, GO_LOCK_FLAG, MAX_U64, TWO_53]);
  });

  it('a single big-Flags entry (kv.get) stays exact', () => {
    const [wire] = parseKvEntries(`[${entry('lock', GO_LOCK_FLAG)}]`);
    expect(kvEntryFromWire(wire!)).toMatchObject({ key: 'lock', flags: GO_LOCK_FLAG, value: 'x' });
  });

  it('leaves bodies that are not lists to the mapper (which reports the shape)', () => {
    expect(parseKvEntries('{"Key":"a"}')).toEqual({ Key: 'a' });
    expect(() => parseKvEntries('not json')).toThrow(SyntaxError);
  });
});
