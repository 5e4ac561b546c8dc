import {
  Consul,
  ConsulOptionError,
  ConsulConfigParseError,
  ConsulError,
  type ConsulOptions,
  type KvEntry,
  PARSE_MODES,
  type ParseMode,
  silentLogger,
} from '@consulkit/core';
// Internal (not exported): loaded from the same built files as the package, so its errors are the
// package's classes.
import { parseValue } from '../../../packages/core/dist/config-store/parse';
import fastifyConsul from '@consulkit/fastify';
import { ConsulModule } from '@consulkit/nest';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fc from 'fast-check';
import Fastify from 'fastify';
import { isDeepStrictEqual } from 'node:util';
import { useAgent } from '../support/agent';
import { uniqueName } from '../support/diagnostics';
import { type FakeAgent, type FakeAnswer, startFakeAgent } from '../support/fake-agent';
import { MODE, scale } from '../support/mode';
import { waitFor } from '../support/wait';

jest.setTimeout(scale(180_000, 420_000));

/** A token that must never show up in an error message. */
const SECRET = 'e1f2d3c4-b5a6-4789-8abc-def012345678';
const tried: Record<string, number> = {};

/** Any value at all. */
const anyValue = fc.oneof(
  fc.anything(),
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);

/**
 * One option or field: mostly absent or valid, sometimes a plausible mistake, rarely anything at
 * all. So valid inputs pass often enough, and a rejection usually comes from one field at a time,
 * which lets every field be blamed over a run.
 */
function field(
  valid: fc.Arbitrary<unknown>,
  mistake?: fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(undefined) },
    { weight: 12, arbitrary: valid },
    { weight: mistake ? 1 : 0, arbitrary: mistake ?? fc.constant(undefined) },
    { weight: 1, arbitrary: anyValue },
  );
}

const duration = field(
  fc.constantFrom('1s', '500ms', '1m30s', '2m', 1_500),
  fc.constantFrom('-1s', '1x', '0', '', -5, 1e20, Number.NaN),
);
const longDuration = field(fc.constantFrom('1m', '2m', '1h'), fc.constantFrom('30s', '-1m', 'x'));
const name = field(
  fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/),
  fc.constantFrom('bad name!', ''),
);

/** Options of `new Consul()`: known keys with plausible and absurd values, sometimes an unknown key. */
const clientOptions: fc.Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record(
      {
        address: field(
          fc.oneof(
            fc.constantFrom('127.0.0.1:1', 'http://127.0.0.1:1', 'https://127.0.0.1:1/consul/'),
            fc.constant('unix:///tmp/consul.sock'),
            fc.array(fc.constantFrom('127.0.0.1:1', '127.0.0.1:2'), { minLength: 1, maxLength: 3 }),
          ),
          fc.constantFrom(
            'unix://relative.sock',
            'ftp://127.0.0.1:1',
            'http://user:pass@127.0.0.1:1',
            '',
            [],
            ['127.0.0.1:1', 'nope://x'],
          ),
        ),
        token: field(fc.constant(SECRET), fc.constant(42)),
        tokenFile: field(fc.constant(undefined), fc.constantFrom('/nonexistent/token', '/', '')),
        datacenter: name,
        namespace: name,
        partition: name,
        tls: field(
          fc.oneof(
            fc.boolean(),
            fc.record(
              {
                servername: name,
                rejectUnauthorized: field(fc.constant(true), fc.constant('no')),
                ca: field(fc.constant('-----BEGIN CERTIFICATE-----'), fc.constant(7)),
                caFile: field(fc.constant(undefined), fc.constant('/nonexistent/ca.pem')),
                cert: field(fc.constant(undefined), fc.constant('cert-without-key')),
                key: field(fc.constant(undefined), fc.constant(SECRET)),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
        timeout: duration,
        retry: field(
          fc.oneof(
            fc.constant(false),
            fc.record(
              {
                retries: field(fc.integer({ min: 0, max: 10 }), fc.constantFrom(-1, 1.5, 101)),
                minDelay: field(fc.constantFrom('50ms', 100)),
                maxDelay: field(fc.constantFrom('2s', 5_000), fc.constantFrom('1ms', 'x')),
              },
              { requiredKeys: [] },
            ),
          ),
        ),
        logger: field(fc.constant(silentLogger), fc.constant({ debug: () => undefined })),
        connections: field(fc.integer({ min: 1, max: 300 }), fc.constantFrom(0, -1, 2.5)),
        maxLongPolls: field(fc.integer({ min: 1, max: 300 }), fc.constantFrom(0, -1)),
        dispatcher: field(fc.constant(undefined), fc.constant({ request: 1 })),
        env: field(
          fc.record(
            {
              CONSUL_HTTP_ADDR: field(fc.constant('127.0.0.1:1'), fc.constant('nope://x')),
              CONSUL_HTTP_TOKEN: field(fc.constant(SECRET)),
              CONSUL_HTTP_SSL: field(fc.constantFrom('true', 'false'), fc.constant('yes')),
              CONSUL_HTTP_SSL_VERIFY: field(fc.constantFrom('true', '0'), fc.constant('maybe')),
              CONSUL_CACERT: field(fc.constant(undefined), fc.constant('/nonexistent/ca.pem')),
              CONSUL_NAMESPACE: field(fc.constant('team')),
              CONSUL_TLS_SERVER_NAME: field(fc.constant('consul.local:8501')),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    ),
    fc.oneof(
      { weight: 15, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constantFrom('adress', 'tokn', 'retries', 'constructor') },
    ),
  )
  .map(([options, unknownKey]) => {
    // Defined-but-undefined keys are dropped: `{ logger: undefined }` is "not given".
    const out = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
    if (out.logger === undefined) out.logger = silentLogger;
    return unknownKey === null ? out : { ...out, [unknownKey]: 1 };
  });

/** Checks one thrown value: a ConsulOptionError naming a dotted option path, no secret shown. */
function expectConfigError(err: unknown, seen: Set<string>): void {
  if (!(err instanceof ConsulOptionError)) {
    throw new Error(`expected a ConsulOptionError, got ${String(err)}`, { cause: err });
  }
  expect(typeof err.option).toBe('string');
  expect(err.option.length).toBeGreaterThan(0);
  expect(err.message).toContain(`"${err.option}"`);
  expect(err.message).not.toContain(SECRET);
  seen.add(err.option.replace(/\[\d+\]/g, '[]'));
}

const check = fc.record(
  {
    http: field(fc.constantFrom('/health', 'http://127.0.0.1:1/h'), fc.constantFrom('ftp://x', '')),
    interval: duration,
    timeout: duration,
    deregisterCriticalServiceAfter: longDuration,
    status: field(fc.constantFrom('passing', 'warning', 'critical'), fc.constant('maybe')),
    notes: field(fc.string({ maxLength: 8 })),
    tlsSkipVerify: field(fc.boolean()),
    method: field(fc.constantFrom('GET', 'HEAD')),
  },
  { requiredKeys: [] },
);
const ttlCheck = fc.record({
  ttl: field(fc.constantFrom('10s', '1m'), fc.constantFrom('0s', 'x')),
});
const tcpCheck = fc.record({
  tcp: field(fc.constantFrom(true as const, '127.0.0.1:1'), fc.constant('nope')),
  interval: duration,
});

/** The service an adapter registers (Fastify plugin, Nest module). */
const serviceOptions = fc.record(
  {
    name: field(fc.constantFrom('web', 'cdn-edge'), fc.constantFrom('', 'bad name')),
    id: name,
    tags: field(fc.array(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 3 })),
    meta: field(fc.dictionary(fc.stringMatching(/^[a-z]{1,6}$/), fc.string({ maxLength: 8 }))),
    address: field(fc.constant('127.0.0.1'), fc.constant('')),
    port: field(fc.integer({ min: 1, max: 65_535 }), fc.constantFrom(0, -1, 70_000)),
    weights: field(fc.record({ passing: fc.integer({ min: 1, max: 10 }) }), fc.constant({})),
    check: field(
      fc.oneof(
        fc.constant(false),
        fc.record(
          {
            http: field(fc.constantFrom(true, '/ready'), fc.constant('')),
            interval: duration,
            timeout: duration,
            deregisterCriticalServiceAfter: longDuration,
          },
          { requiredKeys: [] },
        ),
      ),
    ),
    checks: field(fc.array(fc.oneof(ttlCheck, tcpCheck), { maxLength: 2 })),
    deregisterCriticalServiceAfter: longDuration,
  },
  { requiredKeys: ['name'] },
);
/** Options shared by the Fastify plugin and the Nest module. */
const adapterOptions = fc.record(
  {
    // Client options are fuzzed on their own above; here mostly valid, so other fields get blamed.
    consul: field(fc.constant({ address: '127.0.0.1:1', logger: silentLogger }), clientOptions),
    client: field(fc.constant(undefined), fc.constant({ close: 1 })),
    service: fc.oneof(
      { weight: 6, arbitrary: serviceOptions },
      { weight: 1, arbitrary: fc.constant(false) },
      { weight: 1, arbitrary: anyValue },
    ),
    healthRoute: field(
      fc.constantFrom('/health', '/ready', false),
      fc.constantFrom('health', '/a b'),
    ),
    ttl: field(fc.constantFrom('10s', false), fc.constant('1ms')),
    checkTimeout: duration,
    drain: duration,
    deregisterTimeout: duration,
    // Never true: a probe of a random address would only test the network.
    failFast: fc.constantFrom(undefined, false, 'yes', 1, null),
    // Never a valid list: that would install process signal handlers.
    closeOnSignals: fc.constantFrom(undefined, false, 'SIGTERM', ['nope'], 5, null),
  },
  { requiredKeys: [] },
);

describe('chaos: bad input, fuzzed', () => {
  afterAll(() => {
    const total = Object.values(tried).reduce((a, b) => a + b, 0);
    console.log(`[chaos] bad-input (${MODE}): cases=${total} ${JSON.stringify(tried)}`);
  });

  it('client options: a ConsulOptionError naming the option, or a working client', async () => {
    const options = new Set<string>();
    let accepted = 0;
    const runs = scale(500, 3_000);
    await fc.assert(
      fc.asyncProperty(clientOptions, async (input) => {
        let consul: Consul | undefined;
        try {
          consul = new Consul(input as ConsulOptions);
          accepted++;
        } catch (err) {
          expectConfigError(err, options);
        } finally {
          await consul?.close();
        }
      }),
      {
        numRuns: runs,
        examples: [[{ logger: silentLogger }], [{ address: '127.0.0.1:1', logger: silentLogger }]],
      },
    );
    tried['client-options'] = runs;
    console.log(
      `[chaos] bad-input client-options: cases=${runs} accepted=${accepted} ` +
        `options-named=${[...options].sort().join(',')}`,
    );
    expect(accepted).toBeGreaterThan(0);
    expect(options.size).toBeGreaterThan(10);
  });

  it('plugin options: app.ready() rejects with a ConsulOptionError naming the option, or loads', async () => {
    const options = new Set<string>();
    let loaded = 0;
    const runs = scale(200, 800);
    await fc.assert(
      fc.asyncProperty(adapterOptions, async (input) => {
        const app = Fastify({ logger: false });
        try {
          await app.register(fastifyConsul, input as never);
          await app.ready();
          loaded++;
        } catch (err) {
          expectConfigError(err, options);
        } finally {
          await app.close();
        }
      }),
      { numRuns: runs, examples: [[{ service: false }], [{ service: { name: 'web' } }]] },
    );
    tried['plugin-options'] = runs;
    console.log(
      `[chaos] bad-input plugin-options: cases=${runs} loaded=${loaded} ` +
        `options-named=${[...options].sort().join(',')}`,
    );
    expect(loaded).toBeGreaterThan(0);
    expect(options.size).toBeGreaterThan(8);
  });

  it('Nest module options: the application context fails with a ConsulOptionError naming the option, or starts', async () => {
    const options = new Set<string>();
    let started = 0;
    const runs = scale(100, 400);
    await fc.assert(
      fc.asyncProperty(adapterOptions, async (input) => {
        // A module per case, decorated by a call (the options differ each time).
        class FuzzedAppModule {}
        Module({ imports: [ConsulModule.forRoot(input as never)] })(FuzzedAppModule);
        let app: INestApplicationContext | undefined;
        try {
          app = await NestFactory.createApplicationContext(FuzzedAppModule, {
            logger: false,
            abortOnError: false,
          });
          started++;
        } catch (err) {
          expectConfigError(err, options);
        } finally {
          await app?.close();
        }
      }),
      { numRuns: runs, examples: [[{ service: false }], [{ service: { name: 'web' } }]] },
    );
    tried['nest-module-options'] = runs;
    console.log(
      `[chaos] bad-input nest-module-options: cases=${runs} started=${started} ` +
        `options-named=${[...options].sort().join(',')}`,
    );
    expect(started).toBeGreaterThan(0);
    expect(options.size).toBeGreaterThan(5);
  });

  it('service definitions: consul.register() throws a ConsulOptionError naming the field, before any request', async () => {
    const definition = fc.record(
      {
        name: field(
          fc.constantFrom('web', 'cdn-edge', 'a.b_c'),
          fc.constantFrom('bad name', '-x', ''),
        ),
        id: name,
        port: field(fc.integer({ min: 1, max: 65_535 }), fc.constantFrom(0, -1, 70_000, 1.5)),
        address: field(
          fc.constantFrom('127.0.0.1', '::1'),
          fc.constantFrom('0.0.0.0', '', 'bad address'),
        ),
        tags: field(
          fc.array(fc.stringMatching(/^[a-z]{1,5}$/), { maxLength: 4 }),
          fc.constant([1]),
        ),
        meta: field(
          fc.dictionary(fc.stringMatching(/^[a-z_]{1,8}$/), fc.string({ maxLength: 8 }), {
            maxKeys: 4,
          }),
          fc.oneof(
            fc.constant({ 'bad key!': 'v' }),
            fc.constant({ k: 5 }),
            fc.dictionary(fc.stringMatching(/^[a-z]{1,8}$/), fc.constant('v'), {
              minKeys: 65,
              maxKeys: 70,
            }),
          ),
        ),
        weights: field(
          fc.record({
            passing: fc.integer({ min: 1, max: 10 }),
            warning: fc.integer({ min: 0, max: 10 }),
          }),
          fc.constantFrom({ passing: 0 }, { passing: -1 }, { passing: 'x' }),
        ),
        enableTagOverride: field(fc.boolean()),
        check: field(fc.oneof(check, ttlCheck, tcpCheck)),
        checks: field(
          fc.array(fc.oneof(check, ttlCheck, tcpCheck), { maxLength: 3 }),
          fc.constant([1]),
        ),
      },
      { requiredKeys: [] },
    );
    const fake = await startFakeAgent();
    const consul = new Consul({ address: fake.address, logger: silentLogger, retry: false });
    const fields = new Set<string>();
    let planned = 0;
    const runs = scale(500, 3_000);
    try {
      await fc.assert(
        fc.asyncProperty(definition, async (input) => {
          try {
            const registration = consul.register(input as never, {
              autoStart: false,
              reconcile: false,
            });
            planned++;
            registration.stop();
          } catch (err) {
            expectConfigError(err, fields);
          }
        }),
        { numRuns: runs, examples: [[{ name: 'web', port: 8080 }]] },
      );
      expect(fake.requests).toEqual([]); // nothing was ever sent
    } finally {
      await consul.close();
      await fake.close();
    }
    tried['service-definitions'] = runs;
    console.log(
      `[chaos] bad-input service-definitions: cases=${runs} valid=${planned} ` +
        `fields-named=${[...fields].sort().join(',')}`,
    );
    expect(planned).toBeGreaterThan(0);
    expect(fields.size).toBeGreaterThan(8);
  });

  it('KV values for every parse mode: a value, or a ConsulConfigParseError naming the key (never echoing the value)', () => {
    const modes = [...PARSE_MODES, 'custom'] as const;
    const nearValid = fc.oneof(
      fc.double().map(String),
      fc.integer().map(String),
      fc.constantFrom('true', 'false', 'TRUE', 'yes', '1', '0', '', ' ', '1e400', '0x10', '  42 '),
      fc.constantFrom('1s', '1h2m3s', '-5ms', '1.5s', '1d', '5', '2562047h'),
      fc.json(),
      fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
      fc.constantFrom(
        'a: 1\nb: [1, 2',
        'key: &a [*a]',
        '- - - x',
        ': :',
        '{a: 1}',
        '!!js/function "f"',
      ),
    );
    const input = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      nearValid,
      fc.uint8Array({ maxLength: 64 }),
      fc.constant(null),
    );
    const key = fc.constantFrom(
      'config/app/value',
      'config/app/a.json',
      'config/app/b.yaml',
      'k.yml',
      'plain',
    );
    let parsed = 0;
    let refused = 0;
    const runs = scale(3_000, 20_000);
    fc.assert(
      fc.property(fc.constantFrom(...modes), input, key, (modeName, value, k) => {
        const mode: ParseMode =
          modeName === 'custom'
            ? (text: string) => {
                if (text.length % 2 === 1) throw new Error('odd length');
                return text.length;
              }
            : modeName;
        try {
          parseValue(value, mode, k);
          parsed++;
        } catch (err) {
          if (!(err instanceof ConsulConfigParseError)) {
            throw new Error(`expected ConsulConfigParseError, got ${String(err)}`, { cause: err });
          }
          refused++;
          expect(err.key).toBe(k);
          expect(err.message).toContain(`"${k}"`);
          const text = typeof value === 'string' ? value.trim() : '';
          if (text.length >= 16) expect(err.message).not.toContain(text);
        }
      }),
      { numRuns: runs },
    );
    tried['parse-modes'] = runs;
    console.log(`[chaos] bad-input parse-modes: cases=${runs} parsed=${parsed} refused=${refused}`);
    expect(refused).toBeGreaterThan(0);
    expect(parsed).toBeGreaterThan(0);
  });

  describe('against a real agent', () => {
    const fx = useAgent();

    it('a config store keeps the last good value of a key when a new one does not parse', async () => {
      const prefix = `${uniqueName('chaos-fuzz')}/`;
      const writer = fx.client();
      const keys = { n: 'number', b: 'boolean', d: 'duration', j: 'json', y: 'yaml' } as const;
      type Key = keyof typeof keys;
      const initial: Record<Key, string> = { n: '1', b: 'true', d: '1s', j: '{}', y: 'a: 1' };
      for (const [k, v] of Object.entries(initial)) await writer.kv.put(`${prefix}${k}`, v);
      const store = fx.client().config({
        prefix,
        keys: Object.fromEntries(Object.entries(keys).map(([k, parse]) => [k, { parse }])),
        debounce: 20,
      });
      await store.ready();
      const errors: unknown[] = [];
      store.on('error', (err) => errors.push(err));
      const good = new Map<Key, unknown>(
        (Object.entries(initial) as Array<[Key, string]>).map(([k, v]) => [
          k,
          parseValue(v, keys[k], k),
        ]),
      );
      const value = fc.oneof(
        fc.string({ maxLength: 20 }),
        fc.double().map(String),
        fc.constantFrom(
          'false',
          'true',
          '5s',
          '1m',
          '{"a":[1,2]}',
          '{"a":',
          '[1,2',
          'x: [1',
          'k: v',
          '12',
        ),
      );
      const stored = new Map<Key, string>(Object.entries(initial) as Array<[Key, string]>);
      let kept = 0;
      let applied = 0;
      const runs = scale(25, 120);
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...(Object.keys(keys) as Key[])), value, async (k, v) => {
          let expected: unknown;
          let valid = true;
          try {
            expected = parseValue(v, keys[k], `${prefix}${k}`);
          } catch {
            valid = false;
          }
          const errorsBefore = errors.length;
          // An identical re-PUT is not a change (watch semantics): no event, nothing to report.
          const rewrite = stored.get(k) === v;
          stored.set(k, v);
          await writer.kv.put(`${prefix}${k}`, v);
          if (valid) {
            await waitFor(() => isDeepStrictEqual(store.get(k), expected), {
              timeout: 10_000,
              interval: 10,
              what: `${k} = ${JSON.stringify(v)} applied`,
            });
            good.set(k, expected);
            applied++;
          } else if (rewrite) {
            expect(store.get(k)).toEqual(good.get(k));
            kept++;
          } else {
            const error = await waitFor(
              () =>
                errors
                  .slice(errorsBefore)
                  .find((e) => e instanceof ConsulConfigParseError && e.key === `${prefix}${k}`),
              { timeout: 10_000, interval: 10, what: `a parse error naming ${k}` },
            );
            expect(error).toBeInstanceOf(ConsulConfigParseError);
            expect(store.get(k)).toEqual(good.get(k));
            kept++;
            // The bad text stays: the next cases' writes to the other keys must still be applied
            // (a bad key holds back nothing but itself), and a different bad text is reported again.
          }
          for (const [other, last] of good) expect(store.get(other)).toEqual(last);
        }),
        { numRuns: runs },
      );
      tried['config-store-values'] = runs;
      console.log(
        `[chaos] bad-input config-store: cases=${runs} applied=${applied} last-good-kept=${kept}`,
      );
      expect(kept).toBeGreaterThan(0);
      expect(errors.every((e) => e instanceof ConsulError)).toBe(true);
    });
  });

  describe('malformed agent answers (a local node:http server feeding the parsers garbage)', () => {
    let fake: FakeAgent;
    beforeAll(async () => {
      fake = await startFakeAgent();
    });
    afterAll(() => fake.close());

    const wireKeys = fc.constantFrom(
      'Key',
      'Value',
      'Flags',
      'ModifyIndex',
      'CreateIndex',
      'LockIndex',
      'Session',
      'Node',
      'Service',
      'Checks',
      'ID',
      'Address',
      'Port',
      'ServiceID',
      'Status',
      'Name',
      'TTL',
      'Behavior',
      'LockDelay',
      'Datacenter',
      'Config',
      'Tags',
      'Meta',
      'Weights',
      'Results',
      'Errors',
      'KV',
      'Payload',
      'LTime',
    );
    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.json().map((j) => j.slice(0, Math.max(0, j.length - 1))),
      fc
        .array(fc.dictionary(wireKeys, fc.jsonValue()), { maxLength: 3 })
        .map((v) => JSON.stringify(v)),
      fc.dictionary(wireKeys, fc.jsonValue()).map((v) => JSON.stringify(v)),
      fc.constantFrom(
        '',
        'null',
        'true',
        '[]',
        '{}',
        '"x"',
        '1e999',
        '[null]',
        '[{}]',
        '[{"Flags":1e400}]',
        '[{"Flags":-1,"Key":"k"}]',
        '[{"Key":"k","Value":"!!!not base64","ModifyIndex":"x"}]',
        '{"Config":null,"Member":7}',
        '{"Results":[{"KV":null}],"Errors":null}',
      ),
    );
    const header = (values: readonly string[]) =>
      fc.option(fc.constantFrom(...values), { nil: undefined });
    const answer: fc.Arbitrary<FakeAnswer> = fc
      .record({
        status: fc.constantFrom(
          200,
          200,
          200,
          200,
          204,
          301,
          400,
          403,
          404,
          409,
          413,
          429,
          500,
          502,
          503,
        ),
        index: header(['1', '0', '-5', 'abc', '1e3', '18446744073709551616', '']),
        leader: header(['true', 'false', 'maybe']),
        contentType: header(['application/json', 'text/plain', 'application/octet-stream']),
        body,
      })
      .map(({ status, index, leader, contentType, body: text }) => {
        const headers: Record<string, string> = {};
        if (index !== undefined) headers['x-consul-index'] = index;
        if (leader !== undefined) headers['x-consul-knownleader'] = leader;
        if (contentType !== undefined) headers['content-type'] = contentType;
        return { status, headers, body: status === 204 ? '' : text };
      });
    const uuid = '3f6a2b1c-0d4e-4f5a-8b7c-9d0e1f2a3b4c';
    const calls: Array<[string, (c: Consul) => Promise<unknown>]> = [
      ['kv.get', (c) => c.kv.get('app/k')],
      ['kv.get blocking', (c) => c.kv.get('app/k', { index: 5, wait: '1s' })],
      ['kv.list', (c) => c.kv.list('app/')],
      ['kv.keys', (c) => c.kv.keys('app/')],
      ['kv.put', (c) => c.kv.put('app/k', 'v')],
      ['kv.delete', (c) => c.kv.delete('app/k')],
      ['catalog.services', (c) => c.catalog.services()],
      ['catalog.service', (c) => c.catalog.service('web')],
      ['catalog.nodes', (c) => c.catalog.nodes()],
      ['catalog.datacenters', (c) => c.catalog.datacenters()],
      ['health.service', (c) => c.health.service('web', { passing: true })],
      ['health.checks', (c) => c.health.checks('web')],
      ['health.state', (c) => c.health.state('any')],
      ['agent.self', (c) => c.agent.self()],
      ['agent.members', (c) => c.agent.members()],
      ['agent.services', (c) => c.agent.services()],
      ['agent.checks', (c) => c.agent.checks()],
      ['agent.service', (c) => c.agent.service('web-1')],
      ['session.create', (c) => c.session.create({ ttl: '10s' })],
      ['session.info', (c) => c.session.info(uuid)],
      ['session.list', (c) => c.session.list()],
      ['session.renew', (c) => c.session.renew(uuid)],
      ['status.leader', (c) => c.status.leader()],
      ['status.peers', (c) => c.status.peers()],
      ['event.list', (c) => c.event.list()],
      ['txn.run', (c) => c.txn.run([{ verb: 'get', key: 'app/k' }])],
    ];

    it('every endpoint resolves or rejects with a typed ConsulError', async () => {
      const consul = new Consul({
        address: fake.address,
        logger: silentLogger,
        retry: false,
        timeout: '3s',
      });
      const codes = new Map<string, number>();
      let resolved = 0;
      const runs = scale(600, 3_000);
      try {
        await fc.assert(
          fc.asyncProperty(answer, fc.constantFrom(...calls), async (reply, [callName, call]) => {
            fake.answer(reply);
            try {
              await call(consul);
              resolved++;
            } catch (err) {
              if (!(err instanceof ConsulError)) {
                throw new Error(`${callName} threw ${String(err)} (not a ConsulError)`, {
                  cause: err,
                });
              }
              codes.set(err.code, (codes.get(err.code) ?? 0) + 1);
            }
          }),
          { numRuns: runs },
        );
      } finally {
        await consul.close();
      }
      tried['agent-answers'] = runs;
      console.log(
        `[chaos] bad-input agent-answers: cases=${runs} resolved=${resolved} errors=${JSON.stringify(Object.fromEntries(codes))}`,
      );
    });

    it('a watch keeps its last good value through garbage answers and takes the next good one', async () => {
      const consul = new Consul({
        address: fake.address,
        logger: silentLogger,
        retry: false,
        timeout: '3s',
      });
      const good = (value: string, index: number): FakeAnswer => ({
        status: 200,
        headers: { 'x-consul-index': String(index), 'content-type': 'application/json' },
        body: JSON.stringify([
          {
            Key: 'app/a',
            Value: Buffer.from(value).toString('base64'),
            Flags: 0,
            CreateIndex: 1,
            ModifyIndex: index,
            LockIndex: 0,
          },
        ]),
      });
      const garbage = fc.sample(answer, scale(40, 200));
      let index = 10;
      fake.answer(() => good('one', index));
      const errors: Error[] = [];
      const watch = consul.watchPrefix('app/', {
        wait: '1s',
        backoff: { min: '5ms', max: '20ms' },
      });
      watch.on('error', (err) => errors.push(err));
      // Whatever it is fed, a delivered value is a well-formed entry list.
      const malformed: unknown[] = [];
      watch.on('change', (entries) => {
        const ok =
          Array.isArray(entries) &&
          entries.every((e) => typeof e.key === 'string' && typeof e.modifyIndex === 'number');
        if (!ok) malformed.push(entries);
      });
      try {
        await watch.ready();
        expect(watch.current?.[0]?.value).toBe('one');
        const before = fake.requests.length;
        let served = 0;
        fake.answer(() => {
          const reply = garbage[served % garbage.length] as FakeAnswer;
          served++;
          return reply;
        });
        await waitFor(() => fake.requests.length - before >= garbage.length, {
          timeout: 60_000,
          interval: 20,
          what: 'every garbage answer served',
        });
        // Whatever it was fed, the watch serves a well-formed last value: the good one, or a
        // garbage answer that happened to be a valid (if odd) KV list.
        const current = watch.current as KvEntry[] | undefined;
        expect(Array.isArray(current)).toBe(true);
        index = 1_000;
        fake.answer(() => good('two', index));
        await waitFor(() => watch.current?.[0]?.value === 'two', {
          timeout: 30_000,
          what: 'the next good answer taken',
        });
        expect(errors.every((e) => e instanceof ConsulError)).toBe(true);
        expect(malformed).toEqual([]);
        tried['watch-answers'] = garbage.length;
        console.log(
          `[chaos] bad-input watch-answers: cases=${garbage.length} errors=${errors.length} recovered=true`,
        );
      } finally {
        await watch.stop();
        await consul.close();
      }
    });
  });
});
