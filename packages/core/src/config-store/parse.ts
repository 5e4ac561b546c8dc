import type * as Yaml from 'yaml';
import { parseGoDuration } from '../duration';
import { ConsulOptionError } from '../errors';
import { ConsulConfigParseError } from './errors';

/** A custom parser: receives the value as UTF-8 text and the key; throws to reject it. */
export type ParseFunction<T = unknown> = (text: string, key: string) => T;

/**
 * The built-in parse modes:
 * - `raw`: the bytes as a `Buffer`;
 * - `string`: the UTF-8 text, unchanged;
 * - `number`: a decimal number (`42`, `-1.5`, `1e3`; surrounding whitespace allowed);
 * - `boolean`: `true/false/1/0/yes/no`, any case;
 * - `duration`: a Go duration (`'1m30s'`, `'250ms'`) → milliseconds;
 * - `json`, `yaml`: a document (YAML with the core schema, unique keys, one document);
 * - `auto`: by the key's extension: `.json` → json, `.yaml`/`.yml` → yaml, otherwise string.
 */
export type BuiltinParseMode =
  'raw' | 'string' | 'number' | 'boolean' | 'duration' | 'json' | 'yaml' | 'auto';

/** How a KV value becomes a config value: a built-in mode or a custom function. */
export type ParseMode<T = unknown> = BuiltinParseMode | ParseFunction<T>;

/** The value type a parse mode produces. */
export type ParsedValue<M> = M extends 'raw'
  ? Buffer
  : M extends 'string'
    ? string
    : M extends 'number' | 'duration'
      ? number
      : M extends 'boolean'
        ? boolean
        : M extends ParseFunction<infer T>
          ? T
          : unknown;

/** Every built-in mode name (for option validation and tests). */
export const PARSE_MODES: readonly BuiltinParseMode[] = [
  'raw',
  'string',
  'number',
  'boolean',
  'duration',
  'json',
  'yaml',
  'auto',
];

const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
};

/** Whether `mode` is a parse mode (a built-in name or a function). */
export function isParseMode(mode: unknown): mode is ParseMode {
  return typeof mode === 'function' || PARSE_MODES.includes(mode as BuiltinParseMode);
}

/** The mode `auto` picks for a key: by its extension, `string` when it has none we know. */
export function modeForKey(key: string): 'json' | 'yaml' | 'string' {
  const lower = key.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return 'string';
}

/**
 * Parses a KV value. `input` is the value's text or bytes (`null`, Consul's empty value, is treated
 * as empty). Throws {@link ConsulConfigParseError} naming `key` when the value does not fit the mode
 * (and a `ConsulOptionError` for an unknown mode); nothing else escapes.
 *
 * @example
 * parseValue('{"max": 5}', 'json', 'config/app/limits'); // { max: 5 }
 * parseValue('1m30s', 'duration', 'config/app/timeout'); // 90000
 */
export function parseValue<M extends ParseMode>(
  input: string | Uint8Array | null,
  mode: M,
  key: string,
): ParsedValue<M>;
export function parseValue(
  input: string | Uint8Array | null,
  mode: ParseMode,
  key: string,
): unknown {
  if (!isParseMode(mode)) {
    throw new ConsulOptionError(
      'parse',
      `a parse mode (${PARSE_MODES.join(', ')}) or a function`,
      mode,
    );
  }
  if (mode === 'raw') return toBuffer(input);
  const text = toText(input);
  if (typeof mode === 'function') return runCustom(mode, text, key);
  const effective = mode === 'auto' ? modeForKey(key) : mode;
  switch (effective) {
    case 'string':
      return text;
    case 'number':
      return parseNumber(text, key);
    case 'boolean':
      return parseBoolean(text, key);
    case 'duration':
      return parseDuration(text, key);
    case 'json':
      return parseJson(text, key);
    case 'yaml':
      return parseYamlValue(text, key);
  }
}

function toBuffer(input: string | Uint8Array | null): Buffer {
  if (input === null) return Buffer.alloc(0);
  if (typeof input === 'string') return Buffer.from(input, 'utf8');
  // A copy, so a caller mutating the result cannot change what the store compares against.
  return Buffer.from(input);
}

function toText(input: string | Uint8Array | null): string {
  if (input === null) return '';
  if (typeof input === 'string') return input;
  return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
}

function runCustom(fn: ParseFunction, text: string, key: string): unknown {
  try {
    return fn(text, key);
  } catch (err) {
    throw new ConsulConfigParseError(key, 'custom', errorText(err), err);
  }
}

function parseNumber(text: string, key: string): number {
  const trimmed = text.trim();
  const value = NUMBER_RE.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isFinite(value)) {
    throw new ConsulConfigParseError(key, 'number', 'expected a finite decimal number');
  }
  return value;
}

function parseBoolean(text: string, key: string): boolean {
  const value = BOOLEANS[text.trim().toLowerCase()];
  if (value === undefined) {
    throw new ConsulConfigParseError(key, 'boolean', 'expected true/false/1/0/yes/no');
  }
  return value;
}

function parseDuration(text: string, key: string): number {
  const ms = parseGoDuration(text);
  if (ms === undefined) {
    throw new ConsulConfigParseError(
      key,
      'duration',
      'expected a Go duration such as "5s", "1m30s" or "250ms"',
    );
  }
  return ms;
}

function parseJson(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // V8 quotes the start of the input ("…" is not valid JSON): drop it, values can be secrets.
    const detail = errorText(err).replace(
      /"[\s\S]*"(?:\.\.\.)? is not valid JSON/,
      'is not valid JSON',
    );
    throw new ConsulConfigParseError(key, 'json', detail, err);
  }
}

/**
 * The `yaml` package, loaded on first use: it is a quarter of undici's load time and most clients
 * never parse YAML (bench/import measured `require('@consulkit/core')` at 1.5× undici alone).
 */
let yaml: typeof Yaml | undefined;
function parseYaml(
  text: string,
  options: Yaml.ParseOptions & Yaml.DocumentOptions & Yaml.SchemaOptions & Yaml.ToJSOptions,
): unknown {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy on purpose (see above)
  yaml ??= require('yaml') as typeof Yaml;
  return yaml.parse(text, options);
}

function parseYamlValue(text: string, key: string): unknown {
  try {
    // logLevel 'error': errors throw, warnings are not printed; prettyErrors off keeps the source
    // excerpt (possibly a secret) out of the message.
    return parseYaml(text, { prettyErrors: false, logLevel: 'error', uniqueKeys: true });
  } catch (err) {
    throw new ConsulConfigParseError(key, 'yaml', yamlDetail(err, text), err);
  }
}

function yamlDetail(err: unknown, text: string): string {
  const message = errorText(err);
  const pos = (err as { pos?: unknown }).pos;
  if (!Array.isArray(pos) || typeof pos[0] !== 'number') return message;
  const before = text.slice(0, pos[0]);
  const line = before.split('\n').length;
  const column = pos[0] - before.lastIndexOf('\n');
  return `${message} at line ${line}, column ${column}`;
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : 'the parser threw a non-Error value';
}
