import { type KvEntry } from '../endpoints/kv';

/** What the store must watch to see every key it serves: prefixes to list, single keys to get. */
export interface WatchPlan {
  /** Prefixes read with `kv.list` (recursive); none is inside another. */
  readonly lists: readonly string[];
  /** Keys read with `kv.get`, for selected keys at the root of the KV tree (no folder to list). */
  readonly gets: readonly string[];
}

/**
 * Plans the watches for `layers` (prefixes, first wins) and an optional key selection.
 * Without a selection each layer is listed. With one, a non-empty layer is still listed (one long
 * poll covers all its keys) while absolute keys (layer `''`) are grouped by their parent folder, so
 * that N keys in one folder cost one long poll, not N. Prefixes nested in another are dropped: the
 * outer list already sees their keys, and two polls of the same keys could briefly disagree.
 */
export function planWatches(
  layers: readonly string[],
  selection: ReadonlySet<string> | undefined,
): WatchPlan {
  const lists = new Set<string>();
  const gets = new Set<string>();
  for (const layer of layers) {
    if (layer !== '' || selection === undefined) {
      lists.add(layer);
      continue;
    }
    for (const key of selection) {
      const folder = key.slice(0, key.lastIndexOf('/') + 1);
      if (folder === '') gets.add(key);
      else lists.add(folder);
    }
  }
  const outer = [...lists]
    .sort((a, b) => a.length - b.length || a.localeCompare(b))
    .filter((p, i, all) => !all.slice(0, i).some((q) => p.startsWith(q)));
  const covered = (key: string) => outer.some((p) => key.startsWith(p));
  return { lists: outer.sort(), gets: [...gets].filter((k) => !covered(k)).sort() };
}

/** A config key resolved to the Consul entry that sets it. */
export interface ResolvedEntry {
  /** Config key, relative to its layer. */
  readonly key: string;
  /** The winning Consul entry (its `key` is the provenance). */
  readonly entry: KvEntry;
}

/**
 * Resolves layered entries: for every config key, the entry of the first layer that has it.
 * Folder placeholders (keys ending in `/`, as the UI creates) and keys outside the selection are
 * ignored. When the same Consul key arrives from two reads, the most recent write wins.
 */
export function resolveLayers(
  layers: readonly string[],
  selection: ReadonlySet<string> | undefined,
  entries: Iterable<KvEntry>,
): Map<string, ResolvedEntry> {
  const byKey = new Map<string, KvEntry>();
  for (const entry of entries) {
    if (entry.key.endsWith('/')) continue;
    const seen = byKey.get(entry.key);
    if (!seen || seen.modifyIndex < entry.modifyIndex) byKey.set(entry.key, entry);
  }
  const resolved = new Map<string, ResolvedEntry>();
  for (const layer of layers) {
    for (const [fullKey, entry] of byKey) {
      if (!fullKey.startsWith(layer)) continue;
      const key = fullKey.slice(layer.length);
      if (key === '' || resolved.has(key)) continue;
      if (selection && !selection.has(key)) continue;
      resolved.set(key, { key, entry });
    }
  }
  return resolved;
}
