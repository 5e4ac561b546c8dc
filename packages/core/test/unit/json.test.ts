import { parseConsulJson, stringifyConsulJson, toFlags } from '../../src/internal/json';

const GO_LOCK_FLAG = 3304740253564472344n;
const MAX_U64 = 18446744073709551615n;

describe('lossless Consul JSON', () => {
  it('keeps uint64 Flags beyond 2^53 exact (JSON.parse would round them)', () => {
    const text = `[{"Key":"l","Flags":${GO_LOCK_FLAG},"Value":null}]`;
    expect(BigInt(Math.round((JSON.parse(text) as Array<{ Flags: number }>)[0]!.Flags))).not.toBe(
      GO_LOCK_FLAG,
    );
    const [entry] = parseConsulJson<Array<{ Flags: number | string }>>(text);
    expect(toFlags(entry!.Flags)).toBe(GO_LOCK_FLAG);
  });

  it('handles the largest uint64, pretty-printed bodies and several entries', () => {
    const text = `{\n  "Results": [\n    {"KV": {"Key": "a", "Flags": ${MAX_U64}}},\n    {"KV": {"Key": "b", "Flags": 7}}\n  ]\n}`;
    const parsed = parseConsulJson<{ Results: Array<{ KV: { Flags: number | string } }> }>(text);
    expect(parsed.Results.map((r) => toFlags(r.KV.Flags))).toEqual([MAX_U64, 7n]);
  });

  it('leaves small numbers and other fields alone', () => {
    const parsed = parseConsulJson<{ Flags: number; ModifyIndex: number; Name: string }>(
      '{"Flags":42,"ModifyIndex":9007199254740991,"Name":"\\"Flags\\":12345678901234567890"}',
    );
    expect(parsed.Flags).toBe(42);
    expect(parsed.ModifyIndex).toBe(9007199254740991);
    expect(parsed.Name).toBe('"Flags":12345678901234567890');
  });

  it('toFlags accepts numbers, digit strings, bigints and absence', () => {
    expect(toFlags(5)).toBe(5n);
    expect(toFlags('3304740253564472344')).toBe(GO_LOCK_FLAG);
    expect(toFlags(GO_LOCK_FLAG)).toBe(GO_LOCK_FLAG);
    expect(toFlags(undefined)).toBe(0n);
    expect(toFlags(null)).toBe(0n);
  });

  it('writes bigints as bare JSON numbers with every digit', () => {
    const text = stringifyConsulJson([{ KV: { Verb: 'set', Key: 'l', Flags: GO_LOCK_FLAG } }]);
    expect(text).toBe(`[{"KV":{"Verb":"set","Key":"l","Flags":${GO_LOCK_FLAG}}}]`);
    expect(stringifyConsulJson({ a: MAX_U64, b: [1n, 'x'] })).toBe(`{"a":${MAX_U64},"b":[1,"x"]}`);
    expect(stringifyConsulJson({ plain: 'text', n: 1 })).toBe('{"plain":"text","n":1}');
  });

  it('round-trips a body with big flags', () => {
    const body = { Key: 'k', Flags: GO_LOCK_FLAG };
    const back = parseConsulJson<{ Key: string; Flags: string }>(stringifyConsulJson(body));
    expect(toFlags(back.Flags)).toBe(GO_LOCK_FLAG);
  });

  it('does not rewrite user strings that look like its internal marker', () => {
    const body = { Meta: { note: '__consulkit_bigint__:123' }, Flags: 5n };
    expect(JSON.parse(stringifyConsulJson(body))).toEqual({
      Meta: { note: '__consulkit_bigint__:123' },
      Flags: 5,
    });
  });
});
