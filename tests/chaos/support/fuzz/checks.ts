import fc from 'fast-check';
import { durationWhere, modelMillis, NOT_A_DURATION } from './durations';
import { defined } from './oracle';

/**
 * Checks of a registered service (core's `RegistrationCheck`: `consul.register`'s `check`/`checks`,
 * the adapters' `service.checks`): valid ones with the model of what the planner sends, and the
 * mistakes, each with the field it must be blamed on (relative to the check's own path).
 */

export type CheckInput = Record<string, unknown>;
export type CheckKind = 'http' | 'tcp' | 'grpc' | 'ttl' | 'alias';

/** Go's duration text for milliseconds, as Consul reads it: the largest unit that divides it. */
export function goDurationText(ms: number): string {
  if (ms <= 0) return '0s';
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1_000 === 0) return `${ms / 1_000}s`;
  return `${Math.max(1, Math.ceil(ms))}ms`;
}

const duration = (accept: (ms: number) => boolean) => durationWhere(accept).map((d) => d.input);
const atLeastSecond = duration((ms) => ms >= 1_000);
const atLeastMinute = duration((ms) => ms >= 60_000);
const positive = duration((ms) => ms > 0);
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const common = {
  name: opt(fc.stringMatching(/^[a-z][a-z -]{0,10}$/)),
  notes: opt(fc.string({ maxLength: 8 })),
  status: opt(fc.constantFrom('passing', 'warning', 'critical')),
  deregisterCriticalServiceAfter: opt(atLeastMinute),
  successBeforePassing: opt(fc.nat(5)),
  failuresBeforeCritical: opt(fc.nat(5)),
};

const byKind: Record<CheckKind, fc.Arbitrary<CheckInput>> = {
  http: fc.record({
    ...common,
    http: fc.constantFrom(
      '/health',
      '/ready?full=1',
      'http://127.0.0.1:9/h',
      'https://svc.local/ok',
    ),
    interval: atLeastSecond,
    timeout: opt(positive),
    method: opt(fc.constantFrom('GET', 'HEAD')),
    header: opt(fc.constantFrom({ 'X-Probe': 'consul' }, { Accept: ['a', 'b'] })),
    body: opt(fc.constant('{}')),
    tlsSkipVerify: opt(fc.boolean()),
    tlsServerName: opt(fc.constant('svc.local')),
  }),
  tcp: fc.record({
    ...common,
    tcp: fc.constantFrom(true as const, '127.0.0.1:22', 'db.local:5432'),
    interval: atLeastSecond,
    timeout: opt(positive),
  }),
  grpc: fc.record({
    ...common,
    grpc: fc.constantFrom(true as const, '127.0.0.1:9090/health'),
    interval: atLeastSecond,
    grpcUseTls: opt(fc.boolean()),
  }),
  ttl: fc.record({ ...common, ttl: atLeastSecond }),
  alias: fc.record({
    ...common,
    aliasService: fc.constantFrom('db', 'cache-1'),
    aliasNode: opt(fc.constant('node-1')),
  }),
};

/** A valid check of any kind (without `checkId`: the caller numbers explicit IDs uniquely). */
export const validCheck: fc.Arbitrary<CheckInput> = fc
  .oneof(...Object.values(byKind))
  .map((c) => defined(c));

/** The kind of a valid check. */
export function kindOf(check: CheckInput): CheckKind {
  const kinds = (['http', 'tcp', 'grpc', 'ttl'] as const).filter((k) => check[k] !== undefined);
  return kinds[0] ?? 'alias';
}

/** Where the planner resolves shorthands: the service's ID, address and port. */
export interface CheckContext {
  serviceId: string;
  address: string;
  port: number;
  /** `https` when the service's `meta.scheme` says so. */
  scheme: 'http' | 'https';
  /** Default DeregisterCriticalServiceAfter, as Go text. */
  deregisterAfter: string;
}

/**
 * What the planner must send for a valid check (the model): shorthands resolved against the
 * service, `interval`/`ttl` as Go text, the default reaping delay, an explicit stable ID.
 */
export function plannedCheck(check: CheckInput, checkId: string, ctx: CheckContext): CheckInput {
  const hostPort = `${ctx.address.includes(':') ? `[${ctx.address}]` : ctx.address}:${ctx.port}`;
  const out: CheckInput = { ...check, checkId };
  if (typeof check.http === 'string' && check.http.startsWith('/')) {
    out.http = `${ctx.scheme}://${hostPort}${check.http}`;
  }
  if (check.tcp === true) out.tcp = hostPort;
  if (check.grpc === true) out.grpc = hostPort;
  for (const field of ['interval', 'ttl'] as const) {
    if (check[field] !== undefined) out[field] = goDurationText(modelMillis(check[field]));
  }
  out.deregisterCriticalServiceAfter =
    check.deregisterCriticalServiceAfter === undefined
      ? ctx.deregisterAfter
      : goDurationText(modelMillis(check.deregisterCriticalServiceAfter));
  return out;
}

/** A mistake in one check: `field` is the path below the check's own (`''` for the check itself). */
export interface CheckMistake {
  readonly field: string;
  apply(check: CheckInput): unknown;
}

const setField =
  (field: string, only?: CheckKind[]) =>
  (value: unknown): CheckMistake => ({
    field,
    apply: (c) => ({ ...forKind(c, only), [field]: value }),
  });

/** `check` itself when its kind fits, else a plain check of the first kind listed. */
function forKind(check: CheckInput, only: CheckKind[] | undefined): CheckInput {
  if (only === undefined || only.includes(kindOf(check))) return check;
  const kind = only[0] as CheckKind;
  return {
    http: { http: '/health', interval: '10s' },
    tcp: { tcp: true, interval: '10s' },
    grpc: { grpc: true, interval: '10s' },
    ttl: { ttl: '10s' },
    alias: { aliasService: 'db' },
  }[kind];
}

const each = (values: readonly unknown[], make: (v: unknown) => CheckMistake) => values.map(make);

/** Every mistake the fuzz makes in a check. */
export const CHECK_MISTAKES: readonly CheckMistake[] = [
  ...each(['x', null, [], 5], (bad) => ({ field: '', apply: () => bad })),
  { field: '', apply: () => ({ name: 'no kind' }) },
  { field: '', apply: () => ({ ttl: '10s', tcp: true, interval: '10s' }) },
  ...each([...NOT_A_DURATION, '500ms', 999], setField('interval', ['http', 'tcp', 'grpc'])),
  {
    field: 'interval',
    apply: (c) => {
      const { interval: _dropped, ...rest } = forKind(c, ['http', 'tcp', 'grpc']);
      return rest;
    },
  },
  ...each(['10s'], setField('interval', ['ttl', 'alias'])),
  ...each([...NOT_A_DURATION, '500ms', '0s'], setField('ttl', ['ttl'])),
  ...each([...NOT_A_DURATION, 0, '0s'], setField('timeout', ['http', 'tcp'])),
  ...each([...NOT_A_DURATION, '30s', 59_999], setField('deregisterCriticalServiceAfter')),
  ...each(['', 'ftp://x/h', 'health', 42, false], setField('http', ['http'])),
  ...each(['', 42, false], setField('tcp', ['tcp'])),
  ...each(['', 42], setField('grpc', ['grpc'])),
  ...each(['maybe', 'up', 1], setField('status')),
  ...each(['GET'], setField('method', ['ttl', 'tcp'])),
  ...each([{ X: 'v' }], setField('header', ['tcp'])),
  ...each(['', 42], setField('name')),
  ...each([42, null], setField('notes')),
  ...each([-1, 1.5, '2'], setField('successBeforePassing')),
  ...each(['bad id!', '', 42], setField('checkId')),
  ...each([1], setField('intervall')),
  { field: 'header.X', apply: (c) => ({ ...forKind(c, ['http']), header: { X: 5 } }) },
];
