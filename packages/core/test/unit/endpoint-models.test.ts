import { checkRegistrationToWire } from '../../src/models/check-definition';
import { serviceDefinitionToWire } from '../../src/models/service-definition';
import { sessionCreateBody, sessionFromWire } from '../../src/endpoints/session';
import { txnOpToWire } from '../../src/endpoints/txn';
import { parseConsulVersion } from '../../src/endpoints/agent';
import { aggregateStatus } from '../../src/models/check';
import { stringifyConsulJson } from '../../src/internal/json';

describe('service definition → Consul wire shape', () => {
  it('maps every field to PascalCase and omits unset ones', () => {
    expect(
      serviceDefinitionToWire({
        name: 'web',
        id: 'web-1',
        tags: ['v1'],
        address: '10.0.0.5',
        port: 8080,
        meta: { Version: '2' },
        weights: { passing: 3 },
        taggedAddresses: { wan: { address: '198.51.100.1', port: 443 } },
        enableTagOverride: false,
        checks: [
          {
            checkId: 'web-1-http',
            name: 'http',
            http: 'http://10.0.0.5:8080/health',
            method: 'HEAD',
            header: { Authorization: 'Bearer x', 'X-Multi': ['a', 'b'] },
            tlsSkipVerify: true,
            tlsServerName: 'web.internal',
            interval: 10_000,
            timeout: '2s',
            deregisterCriticalServiceAfter: '1m',
            successBeforePassing: 2,
            failuresBeforeCritical: 3,
          },
          { checkId: 'web-1-ttl', ttl: '30s', status: 'passing', notes: 'n' },
          { checkId: 'web-1-grpc', grpc: '10.0.0.5:9090/health', grpcUseTls: true, interval: '5s' },
          { checkId: 'web-1-tcp', tcp: '10.0.0.5:8080', interval: '1500ms' },
          { checkId: 'web-1-alias', aliasService: 'db' },
        ],
      }),
    ).toEqual({
      Name: 'web',
      ID: 'web-1',
      Tags: ['v1'],
      Address: '10.0.0.5',
      Port: 8080,
      Meta: { Version: '2' },
      Weights: { Passing: 3, Warning: 1 },
      TaggedAddresses: { wan: { Address: '198.51.100.1', Port: 443 } },
      EnableTagOverride: false,
      Checks: [
        {
          CheckID: 'web-1-http',
          Name: 'http',
          HTTP: 'http://10.0.0.5:8080/health',
          Method: 'HEAD',
          Header: { Authorization: ['Bearer x'], 'X-Multi': ['a', 'b'] },
          TLSSkipVerify: true,
          TLSServerName: 'web.internal',
          Interval: '10s',
          Timeout: '2s',
          DeregisterCriticalServiceAfter: '1m',
          SuccessBeforePassing: 2,
          FailuresBeforeCritical: 3,
        },
        { CheckID: 'web-1-ttl', TTL: '30s', Status: 'passing', Notes: 'n' },
        { CheckID: 'web-1-grpc', GRPC: '10.0.0.5:9090/health', GRPCUseTLS: true, Interval: '5s' },
        { CheckID: 'web-1-tcp', TCP: '10.0.0.5:8080', Interval: '1500ms' },
        { CheckID: 'web-1-alias', AliasService: 'db' },
      ],
    });
  });

  it('a minimal definition is just the name', () => {
    expect(serviceDefinitionToWire({ name: 'x' })).toEqual({ Name: 'x' });
    expect(serviceDefinitionToWire({ name: 'x', id: undefined, tags: undefined })).toEqual({
      Name: 'x',
    });
  });

  it('a standalone check uses ID and ServiceID, never CheckID', () => {
    expect(
      checkRegistrationToWire({ id: 'c1', name: 'c', serviceId: 'web-1', ttl: '10s' }),
    ).toEqual({ ID: 'c1', ServiceID: 'web-1', Name: 'c', TTL: '10s' });
  });

  it('rejects TLS fields on a check kind that ignores them, naming the field', () => {
    const reject = (check: Record<string, unknown>, option: string, expected: string) =>
      expect(() => serviceDefinitionToWire({ name: 'x', check })).toThrow(
        expect.objectContaining({
          option,
          message: expect.stringContaining(`expected ${expected},`),
        }) as Error,
      );
    reject(
      { tcp: '127.0.0.1:1', interval: '1s', grpcUseTls: true },
      'service.check.grpcUseTls',
      'only on a grpc check',
    );
    reject(
      { http: 'https://127.0.0.1:1/', interval: '1s', grpcUseTls: false },
      'service.check.grpcUseTls',
      'only on a grpc check',
    );
    reject(
      { ttl: '10s', tlsSkipVerify: true },
      'service.check.tlsSkipVerify',
      'only on an http or grpc check',
    );
    reject(
      { tcp: '127.0.0.1:1', interval: '1s', tlsServerName: 'a' },
      'service.check.tlsServerName',
      'only on an http or grpc check',
    );
    expect(
      serviceDefinitionToWire({
        name: 'x',
        check: { grpc: '127.0.0.1:1/svc', interval: '1s', grpcUseTls: true, tlsSkipVerify: true },
      }).Check,
    ).toEqual({ GRPC: '127.0.0.1:1/svc', GRPCUseTLS: true, TLSSkipVerify: true, Interval: '1s' });
  });

  it('rejects an HTTP check URL without a scheme', () => {
    expect(() =>
      serviceDefinitionToWire({ name: 'x', check: { http: 'localhost:80/h', interval: '1s' } }),
    ).toThrow(expect.objectContaining({ option: 'service.check.http' }) as Error);
  });
});

describe('session create body', () => {
  it('sends durations as strings with units (a bare number < 1000 would mean seconds)', () => {
    expect(
      sessionCreateBody({
        name: 'n',
        ttl: 15_000,
        lockDelay: 0,
        behavior: 'delete',
        nodeChecks: [],
        serviceChecks: ['c1', { id: 'c2', namespace: 'ns' }],
      }),
    ).toEqual({
      Name: 'n',
      TTL: '15s',
      LockDelay: '0s',
      Behavior: 'delete',
      NodeChecks: [],
      ServiceChecks: [{ ID: 'c1' }, { ID: 'c2', Namespace: 'ns' }],
    });
    expect(sessionCreateBody({})).toEqual({});
  });

  it('reads LockDelay in nanoseconds and TTL as a Go duration', () => {
    expect(
      sessionFromWire({
        ID: 'i',
        Node: 'n',
        LockDelay: 15_000_000_000,
        TTL: '1m30s',
        Behavior: 'release',
        CreateIndex: 1,
        ModifyIndex: 2,
      }),
    ).toMatchObject({ lockDelay: 15_000, ttl: 90_000, nodeChecks: [], serviceChecks: [] });
    expect(
      sessionFromWire({ ID: 'i', Node: 'n', TTL: '', CreateIndex: 1, ModifyIndex: 1 }).ttl,
    ).toBeUndefined();
  });
});

describe('txn operations → wire', () => {
  it('base64-encodes values and splices uint64 flags losslessly', () => {
    const op = txnOpToWire(
      { verb: 'lock', key: '/locks/a', value: 'me', session: 's', flags: 0x2ddccbc058a50c18n },
      0,
    );
    expect(op).toEqual({
      KV: {
        Verb: 'lock',
        Key: 'locks/a',
        Value: Buffer.from('me').toString('base64'),
        Flags: 0x2ddccbc058a50c18n,
        Session: 's',
      },
    });
    expect(stringifyConsulJson([op])).toContain('"Flags":3304740253564472344');
  });

  it('sends only the fields each verb uses', () => {
    expect(txnOpToWire({ verb: 'get-tree', key: '' }, 0)).toEqual({
      KV: { Verb: 'get-tree', Key: '' },
    });
    expect(txnOpToWire({ verb: 'delete-cas', key: 'k', index: 7 }, 0)).toEqual({
      KV: { Verb: 'delete-cas', Key: 'k', Index: 7 },
    });
    expect(txnOpToWire({ verb: 'unlock', key: 'k', session: 's' }, 0)).toEqual({
      KV: { Verb: 'unlock', Key: 'k', Session: 's' },
    });
    expect(txnOpToWire({ verb: 'set', key: 'k', value: new Uint8Array([255]) }, 3)).toEqual({
      KV: { Verb: 'set', Key: 'k', Value: '/w==' },
    });
  });
});

describe('small helpers', () => {
  it('parses Consul versions', () => {
    expect(parseConsulVersion('1.8.7')).toEqual({
      major: 1,
      minor: 8,
      patch: 7,
      prerelease: '',
      text: '1.8.7',
    });
    expect(parseConsulVersion('1.16.0-dev')).toMatchObject({ minor: 16, prerelease: 'dev' });
    expect(parseConsulVersion('1.15.2+ent')).toMatchObject({ patch: 2, prerelease: 'ent' });
    expect(() => parseConsulVersion('latest')).toThrow();
  });

  it('aggregates check statuses worst-first', () => {
    expect(aggregateStatus([])).toBe('passing');
    expect(aggregateStatus([{ status: 'passing' }, { status: 'warning' }])).toBe('warning');
    expect(aggregateStatus([{ status: 'warning' }, { status: 'critical' }])).toBe('critical');
  });
});
