import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type fastifyConsul from '../src';

/**
 * The built package (dist, CommonJS) as users load it: `require`, `.default`, the named export,
 * and native ESM imports (default and named).
 */
describe('package exports', () => {
  // The CommonJS entry as Node loads it (dist), not the TypeScript source.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const required = require('@consulkit/fastify') as typeof fastifyConsul;

  it('module.exports is the plugin, with .default and .fastifyConsul pointing to it', () => {
    expect(typeof required).toBe('function');
    expect(required.default).toBe(required);
    expect(required.fastifyConsul).toBe(required);
    expect(typeof required.FastifyConsulAlreadyRegisteredError).toBe('function');
  });

  it('is wrapped once by fastify-plugin with its name and the Fastify 5 range', () => {
    const meta = (required as unknown as Record<symbol, unknown>)[Symbol.for('plugin-meta')];
    expect(meta).toEqual({ fastify: '5.x', name: '@consulkit/fastify' });
    expect((required as unknown as Record<symbol, unknown>)[Symbol.for('skip-override')]).toBe(
      true,
    );
    expect(
      (required as unknown as Record<symbol, unknown>)[Symbol.for('fastify.display-name')],
    ).toBe('@consulkit/fastify');
  });

  it('works from native ESM: default and named imports are the same plugin', () => {
    const script = [
      "import fastifyConsul, { fastifyConsul as named } from '@consulkit/fastify';",
      "import * as ns from '@consulkit/fastify';",
      'const out = {',
      "  fn: typeof fastifyConsul === 'function',",
      '  named: named === fastifyConsul,',
      '  nsDefault: ns.default === fastifyConsul,',
      '  dotDefault: fastifyConsul.default === fastifyConsul,',
      '};',
      'process.stdout.write(JSON.stringify(out));',
    ].join('\n');
    const stdout = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(JSON.parse(stdout)).toEqual({
      fn: true,
      named: true,
      nsDefault: true,
      dotDefault: true,
    });
  });
});
