import { buildServiceDefinition, serviceRegistrationOptions } from '../../src/adapter';
import { ConsulOptionError } from '../../src';

describe('buildServiceDefinition', () => {
  const ctx = {
    healthRoute: '/health' as const,
    ttl: undefined,
    boundAddress: '127.0.0.1',
    boundPort: 3000,
  };

  it('adds the health-route check after the user checks, with the bound address and port', () => {
    const def = buildServiceDefinition(
      { name: 'web', tags: ['v1'], checks: [{ tcp: true, interval: '5s' }] },
      { ...ctx, initialStatus: 'passing' },
    );
    expect(def).toEqual({
      name: 'web',
      address: '127.0.0.1',
      port: 3000,
      tags: ['v1'],
      checks: [
        { tcp: true, interval: '5s' },
        {
          name: 'web health route',
          http: '/health',
          interval: '10s',
          timeout: '5s',
          status: 'passing',
        },
      ],
    });
  });

  it('adds a TTL check for the application checks, and no checks at all when none apply', () => {
    const ttl = buildServiceDefinition(
      { name: 'web', check: false },
      { ...ctx, ttl: '10s', initialStatus: 'critical', ttlCheckNotes: 'from app.consul.addCheck' },
    );
    expect(ttl.checks).toEqual([
      {
        name: 'web application checks',
        ttl: '10s',
        status: 'critical',
        notes: 'from app.consul.addCheck',
      },
    ]);
    const none = buildServiceDefinition({ name: 'web' }, { ...ctx, healthRoute: false });
    expect(none.checks).toBeUndefined();
  });

  it('prefers service.address and service.port, takes the check fields, and needs a port', () => {
    const def = buildServiceDefinition(
      {
        name: 'web',
        address: 'web.internal',
        port: 443,
        check: { http: '/ready', interval: '2s', deregisterCriticalServiceAfter: '3m' },
      },
      ctx,
    );
    expect(def).toMatchObject({ address: 'web.internal', port: 443 });
    expect(def.checks?.[0]).toEqual({
      name: 'web health route',
      http: '/ready',
      interval: '2s',
      timeout: '5s',
      deregisterCriticalServiceAfter: '3m',
    });
    expect(() => buildServiceDefinition({ name: 'web' }, { ...ctx, boundPort: undefined })).toThrow(
      ConsulOptionError,
    );
  });

  it('needs a target for the HTTP check when there is no health route', () => {
    expect(() =>
      buildServiceDefinition({ name: 'web', check: {} }, { ...ctx, healthRoute: false }),
    ).toThrow(/"service\.check\.http"/);
  });
});

describe('serviceRegistrationOptions', () => {
  it('passes the health function and the deregistration default', () => {
    const health = () => true;
    expect(serviceRegistrationOptions({ name: 'web' }, health)).toEqual({ health });
    expect(
      serviceRegistrationOptions({ name: 'web', deregisterCriticalServiceAfter: '5m' }, undefined),
    ).toEqual({ health: undefined, deregisterCriticalServiceAfter: '5m' });
  });
});
