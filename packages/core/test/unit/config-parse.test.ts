import fc from 'fast-check';
import { ConsulOptionError } from '../../src/errors';
import { ConsulConfigParseError } from '../../src/config-store/errors';
import { modeForKey, parseValue, PARSE_MODES, type ParseMode } from '../../src/config-store/parse';

function parseError(fn: () => unknown): ConsulConfigParseError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConsulConfigParseError) return err;
    throw err;
  }
  throw new Error('expected a ConsulConfigParseError');
}

describe('config parseValue', () => {
  it('raw returns the bytes as a Buffer copy', () => {
    const bytes = new Uint8Array([0xff, 0x00, 0x41]);
    const out = parseValue(bytes, 'raw', 'k');
    expect(Buffer.isBuffer(out)).toBe(true);
    expect([...out]).toEqual([0xff, 0x00, 0x41]);
    out[0] = 1;
    expect(bytes[0]).toBe(0xff);
    expect(parseValue(null, 'raw', 'k').length).toBe(0);
    expect(parseValue('é', 'raw', 'k')).toEqual(Buffer.from('é', 'utf8'));
  });

  it('string keeps the UTF-8 text as is; null is empty', () => {
    expect(parseValue(' a b\n', 'string', 'k')).toBe(' a b\n');
    expect(parseValue(Buffer.from('héllo'), 'string', 'k')).toBe('héllo');
    expect(parseValue(null, 'string', 'k')).toBe('');
  });

  it('number accepts decimal numbers and rejects the rest', () => {
    expect(parseValue('42', 'number', 'k')).toBe(42);
    expect(parseValue(' -1.5 ', 'number', 'k')).toBe(-1.5);
    expect(parseValue('1e3', 'number', 'k')).toBe(1000);
    expect(parseValue('.5', 'number', 'k')).toBe(0.5);
    for (const bad of ['', ' ', 'abc', '0x10', 'Infinity', 'NaN', '1,5', '1e999', '12px']) {
      const err = parseError(() => parseValue(bad, 'number', 'config/app/port'));
      expect(err.key).toBe('config/app/port');
      expect(err.mode).toBe('number');
      expect(err.code).toBe('CONSUL_CONFIG_PARSE');
    }
  });

  it('boolean accepts true/false/1/0/yes/no in any case', () => {
    const cases: Array<[string, boolean]> = [
      ['true', true],
      ['FALSE', false],
      ['1', true],
      ['0', false],
      [' Yes ', true],
      ['no', false],
    ];
    for (const [text, expected] of cases) expect(parseValue(text, 'boolean', 'k')).toBe(expected);
    for (const bad of ['', 'on', 'off', 'y', '2', 'truee']) {
      expect(parseError(() => parseValue(bad, 'boolean', 'flag')).key).toBe('flag');
    }
  });

  it('duration turns Go durations into milliseconds', () => {
    expect(parseValue('3s', 'duration', 'k')).toBe(3000);
    expect(parseValue('1m30s', 'duration', 'k')).toBe(90_000);
    expect(parseValue('250ms', 'duration', 'k')).toBe(250);
    expect(parseValue('0', 'duration', 'k')).toBe(0);
    for (const bad of ['', '5', '5 seconds', '-1s', 'soon']) {
      expect(parseError(() => parseValue(bad, 'duration', 'timeout')).mode).toBe('duration');
    }
  });

  it('json parses documents and names the key without echoing the value', () => {
    expect(parseValue('{"max": 5, "tags": ["a"]}', 'json', 'k')).toEqual({ max: 5, tags: ['a'] });
    expect(parseValue('null', 'json', 'k')).toBeNull();
    const err = parseError(() => parseValue('{"password": "hunter2"', 'json', 'config/db.json'));
    expect(err.key).toBe('config/db.json');
    expect(err.message).toContain('"config/db.json"');
    expect(err.message).not.toContain('hunter2');
    const err2 = parseError(() => parseValue('hunter2 is secret', 'json', 'k'));
    expect(err2.message).not.toContain('hunter2 is');
    expect(err2.cause).toBeInstanceOf(SyntaxError);
  });

  it('yaml parses one document with unique keys and reports the line', () => {
    expect(parseValue('a: 1\nb:\n  - x\n  - y\n', 'yaml', 'k')).toEqual({ a: 1, b: ['x', 'y'] });
    expect(parseValue('', 'yaml', 'k')).toBeNull();
    const dup = parseError(() => parseValue('a: 1\na: 2\n', 'yaml', 'app.yaml'));
    expect(dup.key).toBe('app.yaml');
    expect(dup.message).toMatch(/line 2/);
    expect(parseError(() => parseValue('--- a\n--- b\n', 'yaml', 'k')).mode).toBe('yaml');
    const secret = parseError(() => parseValue('password: [hunter2', 'yaml', 'k'));
    expect(secret.message).not.toContain('hunter2');
  });

  it('auto picks the mode from the extension', () => {
    expect(modeForKey('a/b.JSON')).toBe('json');
    expect(modeForKey('a/b.yml')).toBe('yaml');
    expect(modeForKey('a/b.yaml')).toBe('yaml');
    expect(modeForKey('a/b')).toBe('string');
    expect(parseValue('{"a":1}', 'auto', 'x.json')).toEqual({ a: 1 });
    expect(parseValue('a: 1', 'auto', 'x.yml')).toEqual({ a: 1 });
    expect(parseValue('{"a":1}', 'auto', 'x')).toBe('{"a":1}');
    expect(parseError(() => parseValue('{', 'auto', 'x.json')).mode).toBe('json');
  });

  it('custom functions receive text and key; their errors are wrapped', () => {
    const seen: string[] = [];
    const upper = (text: string, key: string) => {
      seen.push(key);
      return text.toUpperCase();
    };
    expect(parseValue('abc', upper, 'k1')).toBe('ABC');
    expect(seen).toEqual(['k1']);
    const boom = new RangeError('too big');
    const err = parseError(() =>
      parseValue(
        'x',
        () => {
          throw boom;
        },
        'k2',
      ),
    );
    expect(err).toMatchObject({ key: 'k2', mode: 'custom' });
    expect(err.cause).toBe(boom);
  });

  it('rejects an unknown mode with a ConsulOptionError naming "parse"', () => {
    expect(() => parseValue('1', 'int' as unknown as ParseMode, 'k')).toThrow(ConsulOptionError);
    expect(() => parseValue('1', 'int' as unknown as ParseMode, 'k')).toThrow(/"parse"/);
  });

  it('every mode returns a value or throws ConsulConfigParseError, for any input', () => {
    const modes: ParseMode[] = [...PARSE_MODES, (text: string) => JSON.parse(text) as unknown];
    const input = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.uint8Array({ maxLength: 64 }),
      fc.json(),
      fc.constant(null),
    );
    const key = fc.constantFrom('k', 'a/b.json', 'c.yaml', 'd.yml');
    fc.assert(
      fc.property(input, fc.constantFrom(...modes), key, (value, mode, name) => {
        try {
          parseValue(value, mode, name);
          return true;
        } catch (err) {
          return err instanceof ConsulConfigParseError && err.key === name;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
