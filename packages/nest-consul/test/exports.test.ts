import path from 'node:path';

/** The built package, loaded the way users load it: by name, through `exports`. */
describe('package exports (built dist)', () => {
  const entry = require.resolve('@consulkit/nest');

  it('resolves by name to dist/index.js', () => {
    expect(path.relative(path.join(__dirname, '..'), entry)).toBe(path.join('dist', 'index.js'));
  });

  it('exports the public API by name', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('@consulkit/nest') as Record<string, unknown>;
    const functions = [
      'ConsulModule',
      'ConsulService',
      'ConsulHealthIndicator',
      'ConsulConfig',
      'OnConsulConfigChange',
      'InjectServiceClient',
      'LeaderOnly',
      'WithLock',
      'Lease',
      'getServiceClientToken',
      'ConsulConfigKeyMissingError',
    ];
    for (const name of functions) expect(typeof api[name]).toBe('function');
    expect(api.CONSUL_CLIENT).toBe('CONSUL:CLIENT');
    expect(api.CONSUL_MODULE_OPTIONS).toBe('CONSUL:MODULE_OPTIONS');
    expect((api.getServiceClientToken as (s: string) => string)('users')).toBe(
      'CONSUL:SERVICE_CLIENT:users',
    );
    expect(typeof (api.ConsulModule as { forRoot?: unknown }).forRoot).toBe('function');
    expect(typeof (api.ConsulModule as { forRootAsync?: unknown }).forRootAsync).toBe('function');
    expect(typeof (api.ConsulModule as { forFeature?: unknown }).forFeature).toBe('function');
  });
});
