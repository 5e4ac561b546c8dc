import { type ConsulConfigParseError } from './errors';
import { type ResolvedEntry } from './layers';
import { type ConfigKeyOptions } from './store-options';
import { parseValue, type ParseMode } from './parse';

/** The unvalidated values of a candidate snapshot, and the keys that failed to parse. */
export interface BuildResult {
  /**
   * Config key → value (Consul values first, then defaults of absent keys). A key whose value does
   * not parse holds what {@link KeepLastGood} returned for it, or is left out.
   */
  readonly values: Record<string, unknown>;
  /** Config key → Consul key, for the values that came from Consul. */
  readonly sources: Record<string, string>;
  /** One error per Consul key whose current value does not parse (new failures and known ones). */
  readonly errors: readonly ConsulConfigParseError[];
  /** The subset of {@link errors} not seen in the previous build: the ones to report. */
  readonly newErrors: readonly ConsulConfigParseError[];
}

/** The value (and its source) a config key held in the published snapshot, if any. */
export type KeepLastGood = (
  key: string,
) => { value: unknown; source: string | undefined } | undefined;

interface KnownFailure {
  /** The write that failed: a new write, even of the same bytes, is parsed and reported again. */
  readonly modifyIndex: number;
  readonly mode: ParseMode;
  readonly error: ConsulConfigParseError;
}

interface CachedParse {
  raw: Buffer | null;
  readonly mode: ParseMode;
  readonly value: unknown;
}

/**
 * Turns resolved entries into config values, parsing only what changed: a key whose bytes and
 * parse mode are the same as last time reuses its parsed value (a burst of writes to one key of a
 * large prefix parses that key, not the prefix).
 */
export class SnapshotBuilder {
  private cache = new Map<string, CachedParse>();
  /** Consul keys whose current write failed to parse: not re-parsed, nor re-reported, until rewritten. */
  private failures = new Map<string, KnownFailure>();

  constructor(
    private readonly format: ParseMode,
    private readonly keyOptions: ReadonlyMap<string, ConfigKeyOptions>,
  ) {}

  /**
   * Builds the candidate values. A key that does not parse keeps `keep(key)` — the last good value
   * the store published — so one bad write never holds back the other keys' changes.
   */
  build(resolved: ReadonlyMap<string, ResolvedEntry>, keep?: KeepLastGood): BuildResult {
    const entries: Array<[string, unknown]> = [];
    const sources: Record<string, string> = {};
    const errors: ConsulConfigParseError[] = [];
    const newErrors: ConsulConfigParseError[] = [];
    const failures = new Map<string, KnownFailure>();
    const cache = new Map<string, CachedParse>();
    for (const [key, { entry }] of [...resolved].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const mode = this.keyOptions.get(key)?.parse ?? this.format;
      const cached = this.cache.get(entry.key);
      let value: unknown;
      if (cached && cached.mode === mode && sameBytes(cached.raw, entry.rawValue)) {
        value = cached.value;
        // Same bytes: keep the record (no allocation per unchanged key of a large prefix), pointing
        // at the current entry's buffer so that the previous answer's buffers can be freed.
        cached.raw = entry.rawValue;
        cache.set(entry.key, cached);
      } else {
        const known = this.failures.get(entry.key);
        let failure: KnownFailure | undefined;
        if (known && known.mode === mode && known.modifyIndex === entry.modifyIndex) {
          failure = known;
        } else {
          try {
            // The Consul key names the error: that is what an operator fixes.
            // Text modes reuse the entry's decoded text: no second decode, no duplicate string held.
            const input = mode === 'raw' ? entry.rawValue : entry.value;
            value = parseValue(input, mode, entry.key);
          } catch (err) {
            const error = err as ConsulConfigParseError;
            failure = { modifyIndex: entry.modifyIndex, mode, error };
            newErrors.push(failure.error);
          }
        }
        if (failure) {
          errors.push(failure.error);
          failures.set(entry.key, failure);
          const kept = keep?.(key);
          if (kept) {
            entries.push([key, kept.value]);
            if (kept.source !== undefined) sources[key] = kept.source;
          } else {
            const fallback = this.keyOptions.get(key);
            if (fallback && 'default' in fallback) entries.push([key, fallback.default]);
          }
          continue;
        }
        cache.set(entry.key, { raw: entry.rawValue, mode, value });
      }
      entries.push([key, value]);
      sources[key] = entry.key;
    }
    for (const [key, options] of this.keyOptions) {
      if (!resolved.has(key) && 'default' in options) entries.push([key, options.default]);
    }
    // Keep the cache of keys that failed too, so they are not dropped from it by a bad write.
    for (const err of errors) {
      const old = this.cache.get(err.key);
      if (old) cache.set(err.key, old);
    }
    this.cache = cache;
    this.failures = failures;
    // fromEntries defines properties: a key named "__proto__" stays a plain key.
    return { values: Object.fromEntries(entries), sources, errors, newErrors };
  }
}

function sameBytes(a: Buffer | null, b: Buffer | null): boolean {
  if (a === null || b === null) return a === b;
  return a.equals(b);
}
