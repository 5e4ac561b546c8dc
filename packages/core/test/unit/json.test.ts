import {
  hasBigFlags,
  parseConsulJson,
  stringifyConsulJson,
  toFlags,
} from '../../src/internal/json';

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

  it('takes the fast path (plain JSON.parse) only when every Flags fits in 15 digits', () => {
    expect(hasBigFlags('[{"Key":"a","Flags":0,"Value":null}]')).toBe(false);
    expect(hasBigFlags('[{"Flags":999999999999999}]')).toBe(false); // 15 digits: exact as a double
    expect(hasBigFlags('[{"Flags":1000000000000000}]')).toBe(true); // 16 digits: protected
    expect(hasBigFlags(`[{"Flags": \n\t ${GO_LOCK_FLAG}}]`)).toBe(true);
    expect(hasBigFlags(`[{"Flags" : ${GO_LOCK_FLAG}}]`)).toBe(true);
    expect(hasBigFlags('{"Name":"\\"Flags\\":12345678901234567890"}')).toBe(false);
    expect(hasBigFlags('["Flags", 12345678901234567890]')).toBe(false); // a value, not a key
    expect(hasBigFlags('{"Flags"')).toBe(false);
    expect(hasBigFlags('{"Flags":')).toBe(false);
    expect(hasBigFlags('')).toBe(false);
  });

  it('finds a big Flags after many small ones (the lossless fallback still applies)', () => {
    const small = Array.from({ length: 500 }, (_, i) => `{"Key":"k${i}","Flags":${i}}`);
    const text = `[\n${[...small, `{"Key":"lock","Flags":${MAX_U64}}`].join(',\n')}\n]`;
    expect(hasBigFlags(text)).toBe(true);
    const parsed = parseConsulJson<Array<{ Key: string; Flags: number | string }>>(text);
    expect(parsed).toHaveLength(501);
    expect(toFlags(parsed[500]!.Flags)).toBe(MAX_U64);
    expect(parsed[499]!.Flags).toBe(499);
    expect(toFlags(parsed[0]!.Flags)).toBe(0n);
  });

  it('parses small-Flags bodies exactly like JSON.parse', () => {
    const text = JSON.stringify(
      [{ LockIndex: 0, Key: 'a/b', Flags: 42, Value: 'eA==', CreateIndex: 7, ModifyIndex: 9 }],
      null,
      4,
    );
    expect(parseConsulJson(text)).toEqual(JSON.parse(text));
  });

  it('toFlags accepts numbers, digit strings, bigints and absence', () => {
    expect(toFlags(5)).toBe(5n);
    expect(toFlags(0)).toBe(0n);
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
