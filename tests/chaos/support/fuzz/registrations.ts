import fc from 'fast-check';
import { hostname, networkInterfaces } from 'node:os';
import {
  CHECK_MISTAKES,
  type CheckInput,
  type CheckKind,
  goDurationText,
  kindOf,
  plannedCheck,
  validCheck,
} from './checks';
import { BEYOND_TIMERS, durationWhere, modelMillis, NOT_A_DURATION } from './durations';
import { defined, type Mutation } from './oracle';

/**
 * `consul.register(definition, options)`: valid definitions with the model of what the planner
 * registers (IDs, address, checks with their defaults), and mistakes with the field they must be
 * blamed on (`service.checks[1].interval`, `options.defaultTtl`...).
 */

export interface RegistrationInput {
  definition: unknown;
  options: Record<string, unknown>;
}

/** What the `Registration` must expose, for a given instance ID (generated ones are random). */
export interface PlannedRegistration {
  name: string;
  address: string;
  port: number;
  definition: Record<string, unknown>;
  checkIds: string[];
}

const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const duration = (accept: (ms: number) => boolean) => durationWhere(accept).map((d) => d.input);

/** The first non-internal IPv4 address: where a wildcard address is replaced. */
function hostAddress(): string {
  for (const infos of Object.values(networkInterfaces())) {
    for (const info of infos ?? [])
      if (!info.internal && info.family === 'IPv4') return info.address;
  }
  return '127.0.0.1';
}

const WILDCARDS = ['', '0.0.0.0', '::', '[::]'];

/** The address registered: the given one (trimmed, unbracketed), or this host's for a wildcard. */
export function modelAddress(given: string | undefined): string {
  if (given === undefined || WILDCARDS.includes(given.trim())) return hostAddress();
  return given.trim().replace(/^\[(.*)\]$/, '$1');
}

const idPart = (text: string) =>
  text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-|-$/g, '');

/** A generated ID: `name-host-port-<8 hex>`. */
export function generatedIdPattern(name: string, port: number): RegExp {
  const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const parts = [idPart(name), idPart(hostname()) || 'host', String(port)].filter(Boolean);
  return new RegExp(`^${parts.map(escape).join('-')}-[0-9a-f]{8}$`);
}

/** The model of the planner, for the instance ID the registration reports. */
export function planned(input: RegistrationInput, id: string): PlannedRegistration {
  const def = input.definition as Record<string, unknown>;
  const options = input.options;
  const address = modelAddress(def.address as string | undefined);
  const port = def.port as number;
  const deregisterAfter = goDurationText(
    modelMillis(options.deregisterCriticalServiceAfter ?? '1m'),
  );
  const scheme =
    String((def.meta as Record<string, unknown> | undefined)?.scheme ?? '').toLowerCase() ===
    'https'
      ? 'https'
      : 'http';
  const ctx = { serviceId: id, address, port, scheme, deregisterAfter } as const;
  const perKind = new Map<CheckKind, number>();
  const plan = (check: CheckInput) => {
    let checkId = check.checkId as string | undefined;
    if (checkId === undefined) {
      const kind = kindOf(check);
      const n = (perKind.get(kind) ?? 0) + 1;
      perKind.set(kind, n);
      checkId = n === 1 ? `${id}:${kind}` : `${id}:${kind}:${n}`;
    }
    return plannedCheck(check, checkId, ctx);
  };
  const check = def.check === undefined ? undefined : plan(def.check as CheckInput);
  let checks = ((def.checks as CheckInput[] | undefined) ?? []).map(plan);
  if (check === undefined && def.checks === undefined) {
    const ttl = goDurationText(modelMillis(options.defaultTtl ?? '10s'));
    checks = [
      plan({
        name: `${def.name as string} heartbeat`,
        ttl,
        notes: 'TTL kept alive by the process (consulkit)',
      }),
    ];
  }
  const all = check === undefined ? checks : [check, ...checks];
  return {
    name: def.name as string,
    address,
    port,
    definition: defined({
      ...def,
      id,
      address,
      port,
      check,
      checks: def.checks === undefined && check !== undefined ? undefined : checks,
    }),
    checkIds: all.map((c) => c.checkId as string),
  };
}

/** A list of checks where some get an explicit, unique `checkId`. */
function withIds(checks: fc.Arbitrary<CheckInput[]>, prefix: string): fc.Arbitrary<CheckInput[]> {
  return fc
    .tuple(checks, fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }))
    .map(([list, explicit]) =>
      list.map((c, i) => (explicit[i] ? { ...c, checkId: `${prefix}-${i}` } : c)),
    );
}

const validDefinition = fc
  .record(
    {
      name: fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,20}$/),
      id: opt(fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/)),
      port: fc.integer({ min: 1, max: 65_535 }),
      address: opt(
        fc.constantFrom(
          '127.0.0.1',
          '10.0.0.5',
          '::1',
          '[::1]',
          'db.local',
          ' 127.0.0.2 ',
          '0.0.0.0',
          '',
          '::',
        ),
      ),
      tags: opt(fc.array(fc.stringMatching(/^[a-z0-9-]{1,6}$/), { maxLength: 4 })),
      meta: opt(
        fc.oneof(
          fc.dictionary(
            fc
              .stringMatching(/^[a-zA-Z0-9_][a-zA-Z0-9_-]{0,9}$/)
              .filter((k) => !k.startsWith('consul-')),
            fc.string({ maxLength: 20 }),
            { maxKeys: 4 },
          ),
          fc.constantFrom({ scheme: 'https' }, { scheme: 'HTTPS', team: 'a' }),
        ),
      ),
      weights: opt(
        fc.record(
          { passing: fc.integer({ min: 1, max: 10 }), warning: fc.integer({ min: 0, max: 10 }) },
          { requiredKeys: ['passing'] },
        ),
      ),
      taggedAddresses: opt(
        fc.constantFrom(
          { wan: { address: '203.0.113.1', port: 443 } },
          { lan: { address: '10.0.0.1' }, wan: { address: 'edge.example', port: 0 } },
        ),
      ),
      enableTagOverride: opt(fc.boolean()),
      check: opt(validCheck),
      checks: opt(withIds(fc.array(validCheck, { maxLength: 3 }), 'chk')),
    },
    { requiredKeys: ['name', 'port'] },
  )
  .map((d) => defined(d));

const validOptions = fc
  .record(
    {
      deregisterCriticalServiceAfter: opt(duration((ms) => ms >= 60_000)),
      defaultTtl: opt(duration((ms) => ms >= 1_000)),
      // Below 1s, the shortest TTL a check may have: it always beats within its TTL.
      heartbeatInterval: opt(duration((ms) => ms >= 100 && ms < 1_000)),
      deregisterOnClose: opt(fc.boolean()),
      health: opt(fc.constant(() => true)),
    },
    { requiredKeys: [] },
  )
  // Nothing is ever sent: the fuzz checks the plan, not the agent.
  .map((o) => ({ ...defined(o), autoStart: false, reconcile: false }));

/** A valid definition and registration options (never started, never reconciled). */
export const validRegistrations: fc.Arbitrary<RegistrationInput> = fc.record({
  definition: validDefinition,
  options: validOptions,
});

// ---------------------------------------------------------------- mistakes

const onDefinition = (
  path: string,
  apply: (d: Record<string, unknown>) => unknown,
): Mutation<RegistrationInput> => ({
  path,
  apply: (base) => ({ ...base, definition: apply(base.definition as Record<string, unknown>) }),
});
const setDef = (field: string) => (value: unknown) => ({
  ...onDefinition(`service.${field}`, (d) => ({ ...d, [field]: value })),
  bad: value,
});
const setOption =
  (field: string) =>
  (value: unknown): Mutation<RegistrationInput> => ({
    path: `options.${field}`,
    bad: value,
    apply: (base) => ({ ...base, options: { ...base.options, [field]: value } }),
  });
const each = <T>(values: readonly T[], make: (v: T) => Mutation<RegistrationInput>) =>
  values.map(make);

/** The same mistakes the check fuzz makes, at `service.check` and in `service.checks`. */
function checkMistakes(): Mutation<RegistrationInput>[] {
  const under = (path: string, field: string) => (field === '' ? path : `${path}.${field}`);
  return CHECK_MISTAKES.flatMap((m) => [
    onDefinition(under('service.check', m.field), (d) => ({
      ...d,
      check: m.apply((d.check as CheckInput | undefined) ?? { ttl: '10s' }),
    })),
    onDefinition(under('service.checks[1]', m.field), (d) => {
      const [first] = (d.checks as CheckInput[] | undefined) ?? [];
      // The first check keeps its ID if it has one, so it cannot clash with the second.
      return { ...d, checks: [first ?? { ttl: '10s' }, m.apply({ tcp: true, interval: '10s' })] };
    }),
  ]);
}

/** Every mistake the fuzz makes in a registration. */
export const REGISTRATION_MISTAKES: readonly Mutation<RegistrationInput>[] = [
  ...each(['web', null, [], 5], (bad): Mutation<RegistrationInput> => ({
    path: 'service',
    apply: (base) => ({ ...base, definition: bad }),
  })),
  ...each(['', 'bad name', '-x', 42, undefined, 'a'.repeat(256)], setDef('name')),
  ...each([0, -1, 70_000, 1.5, '80', undefined, null], setDef('port')),
  ...each([42, null, true], setDef('address')),
  ...each(['a/b', 'bad id', '', 42, null], setDef('id')),
  ...each(['x', null], setDef('tags')),
  onDefinition('service.tags[1]', (d) => ({ ...d, tags: ['a', 3] })),
  onDefinition('service.tags[1]', (d) => ({ ...d, tags: ['a', ''] })),
  ...each(['x', null, []], setDef('meta')),
  onDefinition('service.meta.consul-x', (d) => ({ ...d, meta: { 'consul-x': 'v' } })),
  onDefinition('service.meta.bad key!', (d) => ({ ...d, meta: { 'bad key!': 'v' } })),
  onDefinition('service.meta.k', (d) => ({ ...d, meta: { k: 5 } })),
  onDefinition('service.meta.k', (d) => ({ ...d, meta: { k: 'v'.repeat(513) } })),
  onDefinition('service.meta', (d) => ({
    ...d,
    meta: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])),
  })),
  ...each(['x', null], setDef('weights')),
  ...each([{}, { passing: 0 }, { passing: 'x' }, { passing: 1.5 }], (w) =>
    onDefinition('service.weights.passing', (d) => ({ ...d, weights: w })),
  ),
  onDefinition('service.weights.warning', (d) => ({ ...d, weights: { passing: 1, warning: -1 } })),
  onDefinition('service.weights.extra', (d) => ({ ...d, weights: { passing: 1, extra: 1 } })),
  onDefinition('service.taggedAddresses.wan', (d) => ({ ...d, taggedAddresses: { wan: 'x' } })),
  onDefinition('service.taggedAddresses.wan.address', (d) => ({
    ...d,
    taggedAddresses: { wan: { address: '' } },
  })),
  onDefinition('service.taggedAddresses.wan.port', (d) => ({
    ...d,
    taggedAddresses: { wan: { address: 'h', port: 70_000 } },
  })),
  ...each(['yes', 1], setDef('enableTagOverride')),
  ...each(['nam', 'Name', 'checkz'], (key) => setDef(key)(1)),
  ...each(['x', {}, 5], setDef('checks')),
  onDefinition('service.checks[1].checkId', (d) => ({
    ...d,
    checks: [
      { ttl: '10s', checkId: 'dup' },
      { tcp: true, interval: '10s', checkId: 'dup' },
    ],
  })),
  ...checkMistakes(),
  ...each(['x', null, []], (bad): Mutation<RegistrationInput> => ({
    path: 'options',
    apply: (base) => ({ ...base, options: bad as unknown as Record<string, unknown> }),
  })),
  ...each([...NOT_A_DURATION, '30s'], setOption('deregisterCriticalServiceAfter')),
  // Checked whether or not the definition has checks of its own (it is not used then).
  ...each([...NOT_A_DURATION, '500ms', '0s'], setOption('defaultTtl')),
  ...each([...NOT_A_DURATION, '50ms', ...BEYOND_TIMERS], setOption('heartbeatInterval')),
  {
    path: 'options.heartbeatInterval',
    // Not shorter than the TTL it keeps alive.
    apply: (base) => ({
      definition: { ...(base.definition as Record<string, unknown>), check: { ttl: '10s' } },
      options: { ...base.options, heartbeatInterval: '10s' },
    }),
  },
  ...each(['x', 1], setOption('health')),
  ...each(['yes', 1], setOption('deregisterOnClose')),
  ...each(['ttl', 'deregisterAfter'], (key) => setOption(key)(1)),
];
