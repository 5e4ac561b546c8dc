import { createServer } from 'node:net';
import {
  type ConfigChange,
  ConsulClosedError,
  ConsulConfigParseError,
  ConsulConfigValidationError,
  ConsulUnavailableError,
  type ConsulLogger,
  type StandardSchemaV1,
  type Consul,
  silentLogger,
} from '../src';
import { useAgent } from './support/agent';
import { waitFor } from './support/endpoints-helpers';

/** Collects a store's events for assertions. */
function record(store: {
  on(event: 'change', fn: (changes: readonly ConfigChange[]) => void): unknown;
  on(event: 'error', fn: (error: Error) => void): unknown;
}) {
  const changes: Array<readonly ConfigChange[]> = [];
  const errors: Error[] = [];
  store.on('change', (c) => changes.push(c));
  store.on('error', (e) => errors.push(e));
  return { changes, errors };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('config store', () => {
  const fx = useAgent();
  let consul: Consul;
  beforeAll(() => {
    consul = fx.client();
  });

  it('parses JSON and YAML keys by extension, per key and per store format', async () => {
    await consul.kv.put('cfg-parse/limits.json', '{"rps": 100, "burst": [1, 2]}');
    await consul.kv.put('cfg-parse/db.yaml', 'host: db.local\nport: 5432\n');
    await consul.kv.put('cfg-parse/limits', '{"max": 5}');
    await consul.kv.put('cfg-parse/timeout', '1m30s');
    await consul.kv.put('cfg-parse/enabled', 'yes');
    await consul.kv.put('cfg-parse/name', 'web');
    const store = consul.config({
      prefix: 'cfg-parse',
      keys: {
        limits: { parse: 'json' },
        timeout: { parse: 'duration' },
        enabled: { parse: 'boolean' },
        missing: { parse: 'number', default: 7 },
      },
    });
    const snap = await store.ready();
    expect(snap.values).toEqual({
      'limits.json': { rps: 100, burst: [1, 2] },
      'db.yaml': { host: 'db.local', port: 5432 },
      limits: { max: 5 },
      timeout: 90_000,
      enabled: true,
      name: 'web',
      missing: 7,
    });
    expect(store.get<{ port: number }>('db.yaml')?.port).toBe(5432);
    expect(store.get('nope', 'fallback')).toBe('fallback');
    expect(store.has('missing')).toBe(true);
    expect(store.keys()).toEqual([
      'db.yaml',
      'enabled',
      'limits',
      'limits.json',
      'missing',
      'name',
      'timeout',
    ]);
    expect(store.source('missing')).toBeUndefined();
    expect(store.source('limits')).toBe('cfg-parse/limits');
    expect(Object.isFrozen(store.get('limits'))).toBe(true);
    expect(Object.isFrozen(store.snapshot())).toBe(true);
    await store.close();
  });

  it('keeps the last good value on bad JSON and names the key in an error', async () => {
    await consul.kv.put('cfg-bad/limits.json', '{"rps": 1}');
    const store = consul.config({ prefix: 'cfg-bad/', debounce: 20 });
    const events = record(store);
    await store.ready();
    await consul.kv.put('cfg-bad/limits.json', '{"rps": ');
    await waitFor(() => events.errors.length > 0);
    const error = events.errors[0] as ConsulConfigParseError;
    expect(error).toBeInstanceOf(ConsulConfigParseError);
    expect(error.key).toBe('cfg-bad/limits.json');
    expect(error.message).toContain('cfg-bad/limits.json');
    expect(store.get('limits.json')).toEqual({ rps: 1 });
    expect(store.snapshot().version).toBe(1);
    await consul.kv.put('cfg-bad/limits.json', '{"rps": 2}');
    await waitFor(() => events.changes.length > 0);
    expect(store.get('limits.json')).toEqual({ rps: 2 });
    expect(events.changes[0]).toEqual([
      {
        key: 'limits.json',
        previous: { rps: 1 },
        value: { rps: 2 },
        source: 'cfg-bad/limits.json',
        previousSource: 'cfg-bad/limits.json',
      },
    ]);
    await store.close();
  });

  it('a bad key keeps its last good value without holding back the other keys', async () => {
    await consul.kv.put('cfg-one-bad/a.json', '{"v": 1}');
    await consul.kv.put('cfg-one-bad/b.json', '{"v": 1}');
    const store = consul.config({ prefix: 'cfg-one-bad/', debounce: 20 });
    const events = record(store);
    await store.ready();
    await consul.kv.put('cfg-one-bad/a.json', '{"v": ');
    await waitFor(() => events.errors.length > 0);
    // Another key changes while a.json is still malformed: its change is published at once.
    await consul.kv.put('cfg-one-bad/b.json', '{"v": 2}');
    await waitFor(() => events.changes.length > 0);
    expect(events.changes[0]?.map((c) => c.key)).toEqual(['b.json']);
    expect(store.get('b.json')).toEqual({ v: 2 });
    expect(store.get('a.json')).toEqual({ v: 1 });
    expect(store.source('a.json')).toBe('cfg-one-bad/a.json');
    // The same bad bytes are reported once, not again with every unrelated change.
    await consul.kv.put('cfg-one-bad/b.json', '{"v": 3}');
    await waitFor(() => events.changes.length > 1);
    expect(events.errors).toHaveLength(1);
    expect((events.errors[0] as ConsulConfigParseError).key).toBe('cfg-one-bad/a.json');
    // A new bad write to the same key is a new report; the fix is a change of a.json.
    await consul.kv.put('cfg-one-bad/a.json', '[');
    await waitFor(() => events.errors.length > 1);
    await consul.kv.put('cfg-one-bad/a.json', '{"v": 4}');
    await waitFor(() => store.get<{ v: number }>('a.json')?.v === 4);
    expect(events.changes.at(-1)).toEqual([
      {
        key: 'a.json',
        previous: { v: 1 },
        value: { v: 4 },
        source: 'cfg-one-bad/a.json',
        previousSource: 'cfg-one-bad/a.json',
      },
    ]);
    await store.close();
  });

  it('never throws without an error listener: errors go to the logger', async () => {
    const warnings: string[] = [];
    const logger: ConsulLogger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message) => warnings.push(message),
      error: (message) => warnings.push(message),
    };
    const quiet = fx.client({ logger });
    await quiet.kv.put('cfg-quiet/n', '1');
    const store = quiet.config({ prefix: 'cfg-quiet/', keys: { n: { parse: 'number' } } });
    await store.ready();
    await quiet.kv.put('cfg-quiet/n', 'one');
    await waitFor(() => warnings.some((w) => w.includes('"cfg-quiet/n"')));
    expect(store.get('n')).toBe(1);
    await store.close();
  });

  it('reports a deleted key and restores its default; onKey sees it', async () => {
    await consul.kv.put('cfg-del/timeout', '5s');
    const store = consul.config({
      prefix: 'cfg-del/',
      keys: { timeout: { parse: 'duration', default: 3000 } },
      debounce: 20,
    });
    const events = record(store);
    const seen: Array<[unknown, ConfigChange]> = [];
    store.onKey('timeout', (value, change) => seen.push([value, change]));
    await store.ready();
    expect(store.get('timeout')).toBe(5000);
    await consul.kv.delete('cfg-del/timeout');
    await waitFor(() => events.changes.length > 0);
    expect(events.changes[0]).toEqual([
      {
        key: 'timeout',
        previous: 5000,
        value: 3000,
        source: undefined,
        previousSource: 'cfg-del/timeout',
        deleted: true,
      },
    ]);
    expect(store.get('timeout')).toBe(3000);
    expect(store.source('timeout')).toBeUndefined();
    expect(seen).toHaveLength(1);
    expect(seen[0]?.[0]).toBe(3000);
    await store.close();
  });

  it('resolves layered prefixes with provenance, first layer winning', async () => {
    await consul.kv.put('cfg-layers/shared/timeout', '10s');
    await consul.kv.put('cfg-layers/shared/region', 'eu');
    await consul.kv.put('cfg-layers/web/timeout', '2s');
    const store = consul.config({
      layers: ['cfg-layers/web/', 'cfg-layers/shared/'],
      debounce: 20,
    });
    const events = record(store);
    await store.ready();
    expect(store.get('timeout')).toBe('2s');
    expect(store.source('timeout')).toBe('cfg-layers/web/timeout');
    expect(store.source('region')).toBe('cfg-layers/shared/region');
    // Removing the override falls back to the shared layer: a change of source, not a deletion.
    await consul.kv.delete('cfg-layers/web/timeout');
    await waitFor(() => store.get('timeout') === '10s');
    expect(store.source('timeout')).toBe('cfg-layers/shared/timeout');
    const change = events.changes.flat().find((c) => c.key === 'timeout');
    expect(change).toEqual({
      key: 'timeout',
      previous: '2s',
      value: '10s',
      source: 'cfg-layers/shared/timeout',
      previousSource: 'cfg-layers/web/timeout',
    });
    await store.close();
  });

  it('picks up the first write to a key created after start (empty prefix at start)', async () => {
    const store = consul.config({ prefix: 'cfg-new/', debounce: 20 });
    const events = record(store);
    const snap = await store.ready();
    expect(snap.values).toEqual({});
    await consul.kv.put('cfg-new/feature', 'on');
    await waitFor(() => store.get('feature') === 'on');
    expect(events.changes[0]).toEqual([
      {
        key: 'feature',
        previous: undefined,
        value: 'on',
        source: 'cfg-new/feature',
        previousSource: undefined,
      },
    ]);
    await store.close();
  });

  it('loads a list of absolute keys (folders shared, root keys alone) with defaults', async () => {
    await consul.kv.put('cfg-abs/cdn/origin_timeout', '4s');
    await consul.kv.put('cfg-abs-root', '{"a":1}');
    const store = consul.config({
      keys: {
        'cfg-abs/cdn/origin_timeout': { default: '3s' },
        'cfg-abs/cdn/limits': { parse: 'json', default: { max: 1 } },
        'cfg-abs-root': { parse: 'json' },
      },
      debounce: 20,
    });
    await store.ready();
    expect(store.snapshot().values).toEqual({
      'cfg-abs/cdn/origin_timeout': '4s',
      'cfg-abs/cdn/limits': { max: 1 },
      'cfg-abs-root': { a: 1 },
    });
    // One long poll for the folder, one for the root key.
    expect(consul.watches.has('kv:list::default:cfg-abs/cdn/')).toBe(true);
    await consul.kv.put('cfg-abs/cdn/limits', '{"max": 9}');
    await consul.kv.put('cfg-abs/cdn/unrelated', 'x');
    await waitFor(() => (store.get('cfg-abs/cdn/limits') as { max: number }).max === 9);
    expect(store.has('cfg-abs/cdn/unrelated')).toBe(false);
    await consul.kv.put('cfg-abs-root', '{"a":2}');
    await waitFor(() => (store.get('cfg-abs-root') as { a: number }).a === 2);
    await store.close();
  });

  it('validates with a Standard Schema and keeps the last good snapshot on rejection', async () => {
    await consul.kv.put('cfg-schema/port', '8080');
    const schema: StandardSchemaV1<unknown, { port: number }> = {
      '~standard': {
        version: 1,
        vendor: 'test',
        validate: (value) => {
          const port = Number((value as { port?: unknown }).port);
          return Number.isInteger(port) && port > 1024
            ? { value: { port } }
            : { issues: [{ message: 'port must be above 1024', path: ['port'] }] };
        },
      },
    };
    const store = consul.config({ prefix: 'cfg-schema/', schema, debounce: 20 });
    const events = record(store);
    await store.ready();
    const port: number = store.get('port'); // typed from the schema's output
    expect(port).toBe(8080);
    await consul.kv.put('cfg-schema/port', '80');
    await waitFor(() => events.errors.length > 0);
    const error = events.errors[0] as ConsulConfigValidationError;
    expect(error).toBeInstanceOf(ConsulConfigValidationError);
    expect(error.key).toBe('port');
    expect(error.message).toContain('port must be above 1024');
    expect(store.get('port')).toBe(8080);
    await consul.kv.put('cfg-schema/port', '9090');
    await waitFor(() => store.get('port') === 9090);
    await store.close();
  });

  it('applies a schema function that transforms, and rejects by throwing', async () => {
    await consul.kv.put('cfg-fn/a', '1');
    await consul.kv.put('cfg-fn/b', '2');
    const store = consul.config({
      prefix: 'cfg-fn/',
      debounce: 20,
      schema: (v) => {
        const a = Number(v.a);
        const b = Number(v.b);
        if (a > b) throw new Error('a must not exceed b');
        return { a, b, sum: a + b };
      },
    });
    const events = record(store);
    await store.ready();
    expect(store.snapshot().values).toEqual({ a: 1, b: 2, sum: 3 });
    expect(store.source('sum')).toBeUndefined();
    await consul.kv.put('cfg-fn/a', '5');
    await waitFor(() => events.errors.length > 0);
    expect(events.errors[0]).toMatchObject({ key: 'a', code: 'CONSUL_CONFIG_INVALID' });
    expect(store.get('a')).toBe(1);
    await consul.kv.put('cfg-fn/b', '6');
    await waitFor(() => store.get('sum') === 11);
    await store.close();
  });

  it('rejects ready() on a bad first load, then loads once fixed', async () => {
    await consul.kv.put('cfg-first/x.json', '{');
    const store = consul.config({ prefix: 'cfg-first/', debounce: 20 });
    store.on('error', () => undefined);
    await expect(store.ready()).rejects.toMatchObject({ key: 'cfg-first/x.json' });
    await consul.kv.put('cfg-first/x.json', '{"ok": true}');
    const snap = await store.ready();
    expect(snap.values).toEqual({ 'x.json': { ok: true } });
    await store.close();
  });

  it('rejects ready() with a typed error when the agent is unreachable, or resolves optional', async () => {
    const port = await closedPort();
    const offline = fx.client({
      address: `http://127.0.0.1:${port}`,
      retry: { retries: 1, minDelay: 10, maxDelay: 20 },
      logger: silentLogger,
    });
    const store = offline.config({ prefix: 'app/' });
    store.on('error', () => undefined);
    await expect(store.ready()).rejects.toBeInstanceOf(ConsulUnavailableError);
    const optional = offline.config({
      prefix: 'app/',
      optional: true,
      keys: { timeout: { default: '3s' } },
    });
    optional.on('error', () => undefined);
    const snap = await optional.ready();
    expect(snap.values).toEqual({ timeout: '3s' });
    expect(snap.version).toBe(0);
    await offline.close();
    expect(store.closed).toBe(true);
    expect(optional.closed).toBe(true);
  });

  it('with watch: false loads once and stops its watch; onKey unsubscribes', async () => {
    await consul.kv.put('cfg-once/a', '1');
    const store = consul.config({ prefix: 'cfg-once/', watch: false });
    const calls: unknown[] = [];
    const off = store.onKey('a', (v) => calls.push(v));
    off();
    await store.ready();
    expect(store.get('a')).toBe('1');
    await waitFor(() => !consul.watches.has('kv:list::default:cfg-once/'));
    await consul.kv.put('cfg-once/a', '2');
    await new Promise((r) => setTimeout(r, 300));
    expect(store.get('a')).toBe('1');
    expect(calls).toEqual([]);
    await store.close();
  });

  it('shares one watch per prefix and stops it on close; rejects bad options before sending', async () => {
    const a = consul.config({ prefix: 'cfg-share/' });
    const b = consul.config({ prefix: 'cfg-share/' });
    await Promise.all([a.ready(), b.ready()]);
    const id = 'kv:list::default:cfg-share/';
    expect(consul.watches.subscribers(id)).toBe(2);
    await a.close();
    expect(consul.watches.subscribers(id)).toBe(1);
    await b.close();
    expect(consul.watches.has(id)).toBe(false);
    await expect(b.ready()).resolves.toMatchObject({ version: 1 });
    const early = consul.config({ prefix: 'cfg-share/' });
    const pending = early.ready();
    await early.close();
    await expect(pending).rejects.toBeInstanceOf(ConsulClosedError);
    await expect(early.ready()).rejects.toBeInstanceOf(ConsulClosedError);
    expect(() => consul.config({ prefix: 'a//b' })).toThrow(/"prefix"/);
    expect(() => consul.config({ prefix: 'p/', keys: { x: { parse: 'xml' as never } } })).toThrow(
      /"keys.x.parse"/,
    );
  });
});
