import { ConsulError } from '../errors';

/**
 * A KV value could not be parsed with its parse mode (bad JSON, YAML, number, boolean, duration, or
 * a custom parser that threw). The message names the key and the mode but never echoes the value
 * (config values can be secrets); the parser's own error is kept as `cause`.
 */
export class ConsulConfigParseError extends ConsulError {
  /** The key that failed: the full Consul key when the store knows it, else the name it was given. */
  readonly key: string;
  /** The parse mode that failed: a built-in name, or `'custom'` for a parser function. */
  readonly mode: string;

  constructor(key: string, mode: string, detail: string, cause?: unknown) {
    super('CONSUL_CONFIG_PARSE', `Config key "${key}" is not valid ${mode}: ${detail}`, { cause });
    this.key = key;
    this.mode = mode;
  }
}

/** One problem reported by a config schema. */
export interface ConfigIssue {
  /** What is wrong, as the schema said it. */
  readonly message: string;
  /** Path inside the snapshot; the first segment is the config key. */
  readonly path: ReadonlyArray<PropertyKey>;
}

/**
 * A new config snapshot was rejected by the store's `schema`. `key` is the first key the schema
 * blamed (or, when it blamed none, the first changed key); `keys` lists all of them.
 */
export class ConsulConfigValidationError extends ConsulError {
  /** The first key blamed; `''` when the schema named none and nothing changed (first load). */
  readonly key: string;
  /** Every key blamed (or changed, when the schema named none). */
  readonly keys: readonly string[];
  /** The schema's issues (a thrown schema function gives one issue with its message). */
  readonly issues: readonly ConfigIssue[];

  constructor(keys: readonly string[], issues: readonly ConfigIssue[], cause?: unknown) {
    const where =
      keys.length > 0 ? `key${keys.length > 1 ? 's' : ''} ${quoteAll(keys)}` : 'snapshot';
    const first = issues[0]?.message ?? 'rejected by the schema';
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue(s))` : '';
    super('CONSUL_CONFIG_INVALID', `Config ${where} failed validation: ${first}${more}`, { cause });
    this.key = keys[0] ?? '';
    this.keys = keys;
    this.issues = issues;
  }
}

function quoteAll(keys: readonly string[]): string {
  const shown = keys.slice(0, 5).map((k) => `"${k}"`);
  if (keys.length > 5) shown.push(`… (${keys.length} in all)`);
  return shown.join(', ');
}
