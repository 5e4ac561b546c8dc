import {
  Consul,
  ConsulConfigParseError,
  ConsulError,
  type ConsulOptions,
  type RegistrationDefinition,
  type RegistrationOptions,
  silentLogger,
} from '@consulkit/core';
import { resolveServiceOptions } from '@consulkit/core/adapter';
// Internal (not exported): loaded from the same built files as the package, so its errors are the
// package's classes.
import { parseValue } from '../../../packages/core/dist/config-store/parse';
import fastifyConsul from '@consulkit/fastify';
import { ConsulModule, ConsulService } from '@consulkit/nest';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import fc from 'fast-check';
import Fastify from 'fastify';
import { isDeepStrictEqual } from 'node:util';
import { useAgent } from '../support/agent';
import { uniqueName } from '../support/diagnostics';
import { type FakeAgent, type FakeAnswer, startFakeAgent } from '../support/fake-agent';
import {
  type AdapterInput,
  adapterMutations,
  clientOf,
  expectedClientOf,
  expectedHealthRoute,
  expectedLifecycle,
  signalListeners,
  validAdapterCases,
  withSignalListeners,
} from '../support/fuzz/adapter-options';
import {
  judgeCall,
  kvEntries,
  placesIn,
  SHAPED_CALLS,
  type ShapedCall,
  spoiled,
} from '../support/fuzz/answer-shapes';
import {
  type ClientInput,
  clientMutations,
  countingLogger,
  type CountingLogger,
  invalidClientCases,
  validClientCases,
} from '../support/fuzz/client-options';
import { createFuzzFiles, SECRET } from '../support/fuzz/files';
import {
  expectConfigError,
  expectParseError,
  NOTHING_THROWN,
  rejectionOf,
  settled,
  thrownBy,
} from '../support/fuzz/oracle';
import {
  customParser,
  FUZZ_MODES,
  type FuzzMode,
  invalidValues,
  validValues,
} from '../support/fuzz/parse-values';
import {
  generatedIdPattern,
  planned,
  REGISTRATION_MISTAKES,
  type RegistrationInput,
  validRegistrations,
} from '../support/fuzz/registrations';
import { runs, seedLine } from '../support/fuzz/seed';
import { MODE, scale } from '../support/mode';
import { waitFor } from '../support/wait';

/**
 * Bad input, fuzzed against oracles: every generated input is known valid (then the test's own
 * model says what normalising must give) or known invalid (then it says which option path the
 * typed error must name). Generators and models live in support/fuzz/. Replay a run with
 * `CHAOS_SEED=<seed>` (printed at the end); `CHAOS_FULL=1` runs the full counts.
 */

jest.setTimeout(scale(180_000, 600_000));

const tried: Record<string, number> = {};
/** Every option path an invalid input was refused for, as `<family> <path>`. */
const named = new Set<string>();
const files = createFuzzFiles();
/** Clients adopted by adapters (which never close them): closed at the end. */
const adopted: Consul[] = [];
const adopt = () => {
  const client = new Consul({ address: '127.0.0.1:1', logger: silentLogger, env: {} });
  adopted.push(client);
  return client;
};

/** Runs `numRuns` generated cases plus `examples`, and counts them for the summary. */
function params<Ts extends unknown[]>(
  name: string,
  base: { seed: number; numRuns: number },
  examples: Ts[] = [],
) {
  tried[name] = base.numRuns + examples.length;
  return { ...base, examples };
}

afterAll(async () => {
  files.remove();
  await Promise.all(adopted.map((c) => c.close()));
  const total = Object.values(tried).reduce((a, b) => a + b, 0);
  console.log(
    `${seedLine('bad-input')}\n[chaos] bad-input (${MODE}): cases=${total} ${JSON.stringify(tried)}\n` +
      `[chaos] bad-input paths refused: ${named.size}`,
  );
});

describe('client options (new Consul)', () => {
  it('valid options are accepted and resolve to what the model computes', async () => {
    await fc.assert(
      fc.asyncProperty(validClientCases(files), async ({ input, expected }) => {
        const consul = new Consul(input as ConsulOptions);
        try {
          const { logger, ...config } = consul.options;
          expect(logger).toBe(input.logger);
          expect(config).toEqual(expected.config);
          expect((input.logger as CountingLogger).warnings).toHaveLength(expected.warnings);
        } finally {
          await consul.close();
        }
      }),
      params('client-options-valid', runs(300, 2_000)),
    );
  });

  it('an invalid option is refused with a ConsulOptionError naming it, never showing a secret', () => {
    const minimal = (): ClientInput => ({ env: {}, logger: countingLogger() });
    fc.assert(
      fc.property(invalidClientCases(files), ({ input, path }) => {
        expectConfigError(
          thrownBy(() => new Consul(input as ConsulOptions)),
          path,
          [SECRET],
        );
        named.add(`client ${path}`);
      }),
      // Every mistake at least once per run, on the smallest valid base.
      params(
        'client-options-invalid',
        runs(500, 3_000),
        clientMutations(files).map((m) => [{ input: m.apply(minimal()), path: m.path }]),
      ),
    );
  });
});

describe('adapter options (core resolveServiceOptions, Fastify plugin, Nest module)', () => {
  const minimal = (): AdapterInput => ({ service: { name: 'web' } });

  it('core: valid options normalise to what the model computes', () => {
    fc.assert(
      fc.property(validAdapterCases(files, 'core', adopt), ({ input }) => {
        expect(resolveServiceOptions(input)).toEqual(expectedLifecycle(input));
      }),
      params('lifecycle-options-valid', runs(500, 3_000)),
    );
  });

  it('core: an invalid option is refused naming its path', () => {
    // Client options are only checked once the client is made: the adapters' properties below.
    const mutations = adapterMutations(files, 'core', adopt).filter(
      (m) => !m.path.startsWith('consul.'),
    );
    fc.assert(
      fc.property(
        fc.tuple(validAdapterCases(files, 'core', adopt), fc.constantFrom(...mutations)),
        ([base, mutation]) => {
          const input = mutation.apply(base.input);
          expectConfigError(
            thrownBy(() => resolveServiceOptions(input)),
            mutation.path,
            [SECRET],
          );
          named.add(`lifecycle ${mutation.path}`);
        },
      ),
      params(
        'lifecycle-options-invalid',
        runs(500, 3_000),
        mutations.map((m) => [[{ input: minimal() }, m]] as const),
      ),
    );
  });

  it('Fastify: valid options load: the client as modelled, the health route, signal listeners while up', async () => {
    await fc.assert(
      fc.asyncProperty(validAdapterCases(files, 'fastify', adopt), async ({ input }) => {
        const before = signalListeners();
        const app = Fastify({ logger: false });
        try {
          await app.register(fastifyConsul, input as never);
          await app.ready();
          expect(clientOf(app.consul.client, input)).toEqual(expectedClientOf(input, files));
          const health = expectedHealthRoute(input);
          expect(app.hasRoute({ method: 'GET', url: health.url })).toBe(health.served);
          expect(signalListeners()).toEqual(withSignalListeners(before, input.closeOnSignals));
          expect(resolveServiceOptions(input, { extraKeys: ['closeOnSignals'] })).toEqual(
            expectedLifecycle(input),
          );
        } finally {
          await app.close();
        }
        expect(signalListeners()).toEqual(before);
      }),
      params('fastify-options-valid', runs(60, 400)),
    );
  });

  it('Fastify: an invalid option fails app.ready() with a ConsulOptionError naming it', async () => {
    const mutations = adapterMutations(files, 'fastify', adopt);
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(validAdapterCases(files, 'fastify', adopt), fc.constantFrom(...mutations)),
        async ([base, mutation]) => {
          const app = Fastify({ logger: false });
          try {
            const failure = await rejectionOf(
              (async () => {
                await app.register(fastifyConsul, mutation.apply(base.input) as never);
                await app.ready();
              })(),
            );
            expectConfigError(failure, mutation.path, [SECRET]);
            named.add(`fastify ${mutation.path}`);
          } finally {
            await app.close();
          }
        },
      ),
      params(
        'fastify-options-invalid',
        runs(150, 800),
        mutations.map((m) => [[{ input: minimal() }, m]] as const),
      ),
    );
  });

  /** An application context importing the module configured with `input` (a module per case). */
  function nestContext(input: AdapterInput) {
    class FuzzedAppModule {}
    Module({ imports: [ConsulModule.forRoot(input as never)] })(FuzzedAppModule);
    return NestFactory.createApplicationContext(FuzzedAppModule, {
      logger: false,
      abortOnError: false,
    });
  }

  it('Nest: valid options start the context with the client as modelled', async () => {
    await fc.assert(
      fc.asyncProperty(validAdapterCases(files, 'nest', adopt), async ({ input }) => {
        const app = await nestContext(input);
        try {
          expect(clientOf(app.get(ConsulService).client, input)).toEqual(
            expectedClientOf(input, files),
          );
          // What the module hands to core: the options without its extras, plus its route.
          const { healthRoute, isGlobal: _global, ...options } = input;
          expect(resolveServiceOptions({ ...options, healthRoute })).toEqual(
            expectedLifecycle(input),
          );
        } finally {
          await app.close();
        }
      }),
      params('nest-options-valid', runs(30, 200)),
    );
  });

  it('Nest: an invalid option fails the context with a ConsulOptionError naming it', async () => {
    const mutations = adapterMutations(files, 'nest', adopt);
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(validAdapterCases(files, 'nest', adopt), fc.constantFrom(...mutations)),
        async ([base, mutation]) => {
          const failure = await nestContext(mutation.apply(base.input)).then(
            async (app) => {
              await app.close();
              return NOTHING_THROWN;
            },
            (err: unknown) => err,
          );
          expectConfigError(failure, mutation.path, [SECRET]);
          named.add(`nest ${mutation.path}`);
        },
      ),
      params(
        'nest-options-invalid',
        runs(60, 400),
        mutations.map((m) => [[{ input: minimal() }, m]] as const),
      ),
    );
  });
});

describe('service definitions (consul.register, nothing sent)', () => {
  let fake: FakeAgent;
  let consul: Consul;
  beforeAll(async () => {
    fake = await startFakeAgent();
    consul = new Consul({ address: fake.address, logger: silentLogger, retry: false, env: {} });
  });
  afterAll(async () => {
    await consul.close();
    await fake.close();
  });

  it('a valid definition is planned as the model says: IDs, address, checks and their defaults', () => {
    fc.assert(
      fc.property(validRegistrations, (input) => {
        const registration = consul.register(
          input.definition as RegistrationDefinition,
          input.options as RegistrationOptions,
        );
        try {
          const def = input.definition as { id?: string; name: string; port: number };
          const { id, name, address, port, definition, checkIds } = registration;
          expect(id).toMatch(def.id ?? generatedIdPattern(def.name, def.port));
          expect({ name, address, port, definition, checkIds }).toEqual(planned(input, id));
          // Planned, never started: nothing reaches the agent.
          expect(fake.requests).toEqual([]);
        } finally {
          registration.stop();
        }
      }),
      params('service-definitions-valid', runs(500, 3_000)),
    );
  });

  it('an invalid definition or option is refused naming the field, before any request', () => {
    const minimal = { definition: { name: 'web', port: 8080 }, options: { autoStart: false } };
    fc.assert(
      fc.property(
        fc.tuple(validRegistrations, fc.constantFrom(...REGISTRATION_MISTAKES)),
        ([base, mutation]) => {
          const input = mutation.apply(base);
          const failure = thrownBy(() =>
            consul.register(
              input.definition as RegistrationDefinition,
              input.options as RegistrationOptions,
            ),
          );
          expectConfigError(failure, mutation.path);
          // Validation happens before anything is sent.
          expect(fake.requests).toEqual([]);
          named.add(`register ${mutation.path}`);
        },
      ),
      params(
        'service-definitions-invalid',
        runs(500, 3_000),
        REGISTRATION_MISTAKES.map((m): [[RegistrationInput, typeof m]] => [[minimal, m]]),
      ),
    );
  });
});

describe('KV values for every parse mode', () => {
  const keys = fc.constantFrom(
    'config/app/value',
    'config/app/a.json',
    'config/app/b.YAML',
    'k.yml',
    'plain',
  );
  const parser = (mode: FuzzMode) => (mode === 'custom' ? customParser : mode);

  it('a valid value parses to what the model of its mode says', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.constantFrom(...FUZZ_MODES), keys)
          .chain(([mode, key]) => validValues(mode, key).map((value) => ({ mode, key, value }))),
        ({ mode, key, value }) => {
          expect(parseValue(value.input, parser(mode), key)).toEqual(value.expected);
        },
      ),
      params('parse-valid', runs(3_000, 20_000)),
    );
  });

  it('an invalid value is a ConsulConfigParseError naming the key and mode, never echoing it', () => {
    fc.assert(
      fc.property(
        fc
          .tuple(fc.constantFrom(...FUZZ_MODES), keys)
          .filter(([mode, key]) => invalidValues(mode, key) !== undefined)
          .chain(([mode, key]) =>
            (
              invalidValues(mode, key) as fc.Arbitrary<{ input: string | Uint8Array; mode: string }>
            ).map((value) => ({ mode, key, value })),
          ),
        ({ mode, key, value }) => {
          expectParseError(
            thrownBy(() => parseValue(value.input, parser(mode), key)),
            key,
            value.mode,
          );
        },
      ),
      params('parse-invalid', runs(3_000, 20_000)),
    );
  });
});

describe('against a real agent', () => {
  const fx = useAgent();

  it('a config store applies valid values as modelled, keeps the last good one on a bad value, and reports its key', async () => {
    const prefix = `${uniqueName('chaos-fuzz')}/`;
    const writer = fx.client();
    const modes = { n: 'number', b: 'boolean', d: 'duration', j: 'json', y: 'yaml' } as const;
    type Key = keyof typeof modes;
    const names = Object.keys(modes) as Key[];
    const initial: Record<Key, string> = { n: '1', b: 'true', d: '1s', j: '{}', y: 'a: 1' };
    // The model's values of `initial`, then of every valid write.
    const good: Record<Key, unknown> = { n: 1, b: true, d: 1_000, j: {}, y: { a: 1 } };
    const stored = new Map<Key, Buffer>();
    for (const k of names) {
      await writer.kv.put(`${prefix}${k}`, initial[k]);
      stored.set(k, Buffer.from(initial[k]));
    }
    const store = fx.client().config({
      prefix,
      keys: Object.fromEntries(names.map((k) => [k, { parse: modes[k] }])),
      debounce: 20,
    });
    await store.ready();
    const errors: Error[] = [];
    store.on('error', (err) => errors.push(err));
    const sources = Object.fromEntries(names.map((k) => [k, `${prefix}${k}`]));
    expect(store.snapshot()).toMatchObject({ values: good, sources });

    type Write = { k: Key; input: string | Uint8Array } & (
      { valid: true; expected: unknown } | { valid: false; mode: string }
    );
    const write: fc.Arbitrary<Write> = fc.constantFrom(...names).chain((k) =>
      fc.oneof(
        validValues(modes[k], k).map((v): Write => ({
          k,
          input: v.input as string | Uint8Array,
          valid: true,
          expected: v.expected,
        })),
        (
          invalidValues(modes[k], k) as fc.Arbitrary<{ input: string | Uint8Array; mode: string }>
        ).map((v): Write => ({ k, input: v.input, valid: false, mode: v.mode })),
      ),
    );
    // One sequence of writes, each on the state the previous ones left: replayed by the seed.
    const writes = fc.sample(write, runs(25, 120));
    tried['config-store-values'] = writes.length;
    let kept = 0;
    for (const [step, w] of writes.entries()) {
      const key = `${prefix}${w.k}`;
      const before = errors.length;
      // Writing the same bytes again is no change (watch semantics): nothing new to report.
      const rewrite = stored.get(w.k)?.equals(Buffer.from(w.input)) === true;
      stored.set(w.k, Buffer.from(w.input));
      if (w.valid) good[w.k] = w.expected;
      else kept++;
      await writer.kv.put(key, w.input);
      const expected = {
        step,
        write: w,
        values: { ...good },
        sources,
        reported:
          w.valid || rewrite ? [] : [{ key, mode: w.mode, type: ConsulConfigParseError.name }],
      };
      const observed = () => ({
        step,
        write: w,
        values: store.snapshot().values,
        sources: store.snapshot().sources,
        reported: errors.slice(before).map((e) => ({
          key: (e as ConsulConfigParseError).key,
          mode: (e as ConsulConfigParseError).mode,
          type: e.constructor.name,
        })),
      });
      await settled(() => isDeepStrictEqual(observed(), expected), 10_000);
      // The bad text stays: the next writes to the other keys must still be applied (a bad key
      // holds back nothing but itself), and a different bad text is reported again.
      expect(observed()).toEqual(expected);
    }
    console.log(`[chaos] bad-input config-store: last-good-kept=${kept}`);
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
  /** The call's well-formed answer with one place replaced by something else, or removed. */
  const spoiledBody = (wire: unknown) =>
    fc
      .tuple(
        fc.nat(),
        fc.oneof(
          fc.jsonValue(),
          fc.constantFrom(undefined, null, '', -1, 1.5, 2 ** 60, 'x', true, [], {}, [1], { a: 1 }),
        ),
      )
      .map(([at, replacement]) => {
        const places = placesIn(wire);
        const place = places.length === 0 ? [] : (places[at % places.length] as PropertyKey[]);
        return JSON.stringify(spoiled(wire, place, replacement)) ?? '';
      });
  /** Answers to `call`: garbage, its well-formed answer, or that answer spoiled in one place. */
  const answerTo = (call: ShapedCall): fc.Arbitrary<FakeAnswer> =>
    fc
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
        body: fc.oneof(
          { weight: 2, arbitrary: body },
          { weight: 1, arbitrary: fc.constant(JSON.stringify(call.wire)) },
          { weight: 3, arbitrary: spoiledBody(call.wire) },
        ),
      })
      .map(({ status, index, leader, contentType, body: text }) => {
        const headers: Record<string, string> = {};
        if (index !== undefined) headers['x-consul-index'] = index;
        if (leader !== undefined) headers['x-consul-knownleader'] = leader;
        if (contentType !== undefined) headers['content-type'] = contentType;
        return { status, headers, body: status === 204 ? '' : text };
      });
  const callsAndAnswers = fc
    .constantFrom(...SHAPED_CALLS)
    .chain((call) => answerTo(call).map((reply) => ({ call, reply })));

  it('every call resolves with a value of its declared shape, or rejects with the typed error its status calls for', async () => {
    const consul = new Consul({
      address: fake.address,
      logger: silentLogger,
      retry: false,
      timeout: '3s',
      env: {},
    });
    try {
      await fc.assert(
        fc.asyncProperty(callsAndAnswers, async ({ call, reply }) => {
          fake.answer(reply);
          expect(await judgeCall(consul, call, reply.status)).toEqual([]);
        }),
        params('agent-answers', runs(600, 3_000)),
      );
    } finally {
      await consul.close();
    }
  });

  it('a watch keeps its last good value through garbage answers and takes the next good one', async () => {
    const consul = new Consul({
      address: fake.address,
      logger: silentLogger,
      retry: false,
      timeout: '3s',
      env: {},
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
    const list = SHAPED_CALLS.find((c) => c.name === 'kv.list') as ShapedCall;
    const garbage = fc.sample(answerTo(list), runs(40, 200));
    let index = 10;
    fake.answer(() => good('one', index));
    const errors: Error[] = [];
    const watch = consul.watchPrefix('app/', {
      wait: '1s',
      backoff: { min: '5ms', max: '20ms' },
    });
    watch.on('error', (err) => errors.push(err));
    // Whatever it is fed, every delivered value is a list of well-formed KV entries.
    const malformed: string[] = [];
    watch.on('change', (entries) => malformed.push(...kvEntries(entries, 'change')));
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
      // The good value, or a garbage answer that happened to be a valid (if odd) KV list.
      expect(kvEntries(watch.current, 'current')).toEqual([]);
      index = 1_000;
      fake.answer(() => good('two', index));
      await waitFor(() => watch.current?.[0]?.value === 'two', {
        timeout: 30_000,
        what: 'the next good answer taken',
      });
      expect(errors.filter((e) => !(e instanceof ConsulError))).toEqual([]);
      expect(malformed).toEqual([]);
      tried['watch-answers'] = garbage.length;
    } finally {
      await watch.stop();
      await consul.close();
    }
  });
});
