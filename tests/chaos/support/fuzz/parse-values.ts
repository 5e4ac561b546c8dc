import fc from 'fast-check';
import { durationWhere, modelMillis } from './durations';
import { SECRET } from './files';

/**
 * KV values for every parse mode, known-valid (with the value the mode must give, by the test's own
 * model of each mode) or known-invalid (with the mode the error must name). Every invalid family
 * has members holding {@link SECRET}: a parse error must never echo a value (it may be a secret).
 */

/** The modes under test: the built-in ones, plus a custom parser (even-length text → its length). */
export type FuzzMode =
  'raw' | 'string' | 'number' | 'boolean' | 'duration' | 'json' | 'yaml' | 'auto' | 'custom';

export const FUZZ_MODES: readonly FuzzMode[] = [
  'raw',
  'string',
  'number',
  'boolean',
  'duration',
  'json',
  'yaml',
  'auto',
  'custom',
];

/** The custom parser: refuses odd-length text. */
export function customParser(text: string): number {
  if (text.length % 2 === 1) throw new Error('odd length');
  return text.length;
}

export type ValueInput = string | Uint8Array | null;

/** A valid value of one mode and what parsing it must give. */
export interface ValidValue {
  readonly input: ValueInput;
  readonly expected: unknown;
}

/** An invalid value, and the mode the error must name (`auto` resolves to json or yaml). */
export interface InvalidValue {
  readonly input: ValueInput;
  readonly mode: string;
}

const pad = (text: fc.Arbitrary<string>) =>
  fc
    .tuple(fc.constantFrom('', ' ', '\n', ' \t'), text, fc.constantFrom('', ' ', '\n'))
    .map(([a, t, b]) => a + t + b);

/** Text, or the same text as UTF-8 bytes (what a KV read holds). */
function asInput(text: string, bytes: boolean): ValueInput {
  return bytes ? new TextEncoder().encode(text) : text;
}
const textOrBytes = (valid: fc.Arbitrary<ValidValue & { input: string }>) =>
  fc
    .tuple(valid, fc.boolean())
    .map(([v, bytes]): ValidValue => ({ input: asInput(v.input, bytes), expected: v.expected }));

const decimal = fc
  .tuple(
    fc.constantFrom('', '-', '+'),
    fc.oneof(
      fc.nat(1_000_000).map(String),
      fc.tuple(fc.nat(999), fc.stringMatching(/^\d{0,4}$/)).map(([i, f]) => `${i}.${f}`),
      fc.stringMatching(/^\d{1,4}$/).map((f) => `.${f}`),
    ),
    fc.option(
      fc.tuple(
        fc.constantFrom('e', 'E'),
        fc.constantFrom('', '+', '-'),
        fc.integer({ min: 0, max: 300 }),
      ),
      { nil: undefined },
    ),
  )
  .map(([sign, digits, exp]) => `${sign}${digits}${exp === undefined ? '' : exp.join('')}`);

/** Plain YAML scalars that stay strings (no true/yes/null/number look-alikes). */
const yamlWord = fc
  .stringMatching(/^[a-z]{3,8}$/)
  .filter((w) => !['true', 'false', 'null', 'yes', 'no', 'off', 'nan', 'inf'].includes(w));
const yamlScalar = fc.oneof(
  fc.integer({ min: -1_000, max: 1_000 }),
  yamlWord,
  fc.boolean(),
  fc.constant(null),
);
/** A small document and its YAML text (block style, written by hand: the model, not the parser). */
const yamlDocument: fc.Arbitrary<ValidValue & { input: string }> = fc
  .dictionary(
    yamlWord,
    fc.oneof(
      yamlScalar,
      fc.array(yamlScalar, { minLength: 1, maxLength: 3 }),
      fc.dictionary(yamlWord, yamlScalar, { minKeys: 1, maxKeys: 3, noNullPrototype: true }),
    ),
    // Plain objects, as a YAML parser builds them.
    { minKeys: 1, maxKeys: 4, noNullPrototype: true },
  )
  .map((doc) => {
    const scalar = (v: unknown) => (v === null ? 'null' : String(v));
    const lines = Object.entries(doc).flatMap(([k, v]) => {
      if (Array.isArray(v)) return [`${k}:`, ...v.map((item) => `  - ${scalar(item)}`)];
      if (typeof v === 'object' && v !== null) {
        return [`${k}:`, ...Object.entries(v).map(([k2, v2]) => `  ${k2}: ${scalar(v2)}`)];
      }
      return [`${k}: ${scalar(v)}`];
    });
    return { input: lines.join('\n'), expected: doc };
  });

/** A JSON text and its value (through JSON's own round trip: `-0` is written `0`). */
const jsonDocument = (stringUnit: 'grapheme' | 'grapheme-ascii') =>
  fc
    .jsonValue({ stringUnit })
    .map((value) => JSON.stringify(value))
    .map((text) => ({ input: text, expected: JSON.parse(text) as unknown }));

const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join(''));

const durationText = durationWhere(() => true)
  .filter((d) => typeof d.input === 'string')
  .map((d) => ({ input: d.input as string, expected: modelMillis(d.input) }));

/** Any text (with unpaired surrogates) or bytes (not always UTF-8), and null (an empty value). */
const anything: fc.Arbitrary<ValueInput> = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.uint8Array({ maxLength: 32 }),
  fc.constant(null),
);
const decoded = (input: ValueInput) =>
  input === null ? '' : typeof input === 'string' ? input : Buffer.from(input).toString('utf8');

/** Valid values of `mode` for `key`, with the model's result. */
export function validValues(mode: FuzzMode, key: string): fc.Arbitrary<ValidValue> {
  switch (mode) {
    case 'raw':
      return anything.map((input) => ({
        input,
        expected: input === null ? Buffer.alloc(0) : Buffer.from(input as string),
      }));
    case 'string':
      return anything.map((input) => ({ input, expected: decoded(input) }));
    case 'number':
      return textOrBytes(
        pad(decimal)
          .map((text) => ({ input: text, expected: Number(text.trim()) }))
          .filter((v) => Number.isFinite(v.expected)),
      );
    case 'boolean':
      return textOrBytes(
        pad(fc.constantFrom(...Object.keys(BOOLEANS)).chain(anyCase)).map((text) => ({
          input: text,
          expected: BOOLEANS[text.trim().toLowerCase()],
        })),
      );
    case 'duration':
      return textOrBytes(durationText);
    case 'json':
      return textOrBytes(jsonDocument('grapheme'));
    case 'yaml':
      // JSON is YAML too (plain ASCII strings: YAML has its own escapes beyond JSON's).
      return textOrBytes(fc.oneof(yamlDocument, jsonDocument('grapheme-ascii')));
    case 'auto':
      return validValues(autoMode(key), key);
    case 'custom':
      return fc
        .string()
        .filter((t) => t.length % 2 === 0)
        .map((t) => ({ input: t, expected: t.length }));
  }
}

/** What `auto` reads a key as: by its extension. */
export function autoMode(key: string): 'json' | 'yaml' | 'string' {
  const lower = key.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  return lower.endsWith('.yaml') || lower.endsWith('.yml') ? 'yaml' : 'string';
}

const INVALID: Partial<Record<FuzzMode, readonly string[]>> = {
  number: [
    '',
    ' ',
    'abc',
    '0x10',
    '1e400',
    '-1e999',
    '1,5',
    'NaN',
    'Infinity',
    '1.2.3',
    '--1',
    '.',
    'e5',
    '1e',
    '5 5',
    SECRET,
  ],
  boolean: ['', 'y', 'on', 'off', 'TRUE1', '2', 'nope', 't', SECRET],
  duration: [
    '',
    '5',
    '30',
    '5 s',
    '5 seconds',
    '-1s',
    '1e3s',
    's',
    '1d',
    '1h-5m',
    'NaN',
    SECRET,
    `${SECRET}s`,
  ],
  json: [
    '',
    '{a:1}',
    "{'a':1}",
    'undefined',
    '[1,]',
    '{"a":1',
    'tru',
    `{"password":"${SECRET}"`,
    `${SECRET}`,
  ],
  yaml: [
    'a: 1\nb: [1, 2',
    'a: 1\na: 2',
    'a: "unterminated',
    'a:\n\t- 1',
    '---\na: 1\n---\nb: 2',
    'a: b: c',
    '[1, 2',
    '{a: 1',
    'a: *undefinedAlias',
    `password: "${SECRET}`,
    `token: ${SECRET}\ntoken: again`,
    `a: [${SECRET}}`,
  ],
};

/** Invalid values of `mode` for `key` (none for modes that take anything: raw, string). */
export function invalidValues(mode: FuzzMode, key: string): fc.Arbitrary<InvalidValue> | undefined {
  if (mode === 'auto') {
    const effective = autoMode(key);
    return effective === 'string' ? undefined : invalidValues(effective, key);
  }
  if (mode === 'custom') {
    return fc
      .string()
      .filter((t) => t.length % 2 === 1)
      .map((t) => ({ input: `${SECRET}${t}`, mode: 'custom' }));
  }
  const list = INVALID[mode];
  if (list === undefined) return undefined;
  return fc
    .tuple(fc.constantFrom(...list), fc.boolean())
    .map(([text, bytes]) => ({ input: asInput(text, bytes), mode }));
}
