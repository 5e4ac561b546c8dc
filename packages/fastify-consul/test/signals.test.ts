import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { uniqueName, useAgent, waitFor } from './support/helpers';

jest.setTimeout(40_000);

/** A service process using the built package with `closeOnSignals: true`. */
const SCRIPT = `
const Fastify = require('fastify');
const fastifyConsul = require('@consulkit/fastify');
const [address, name] = process.argv.slice(1);
const app = Fastify();
app.register(fastifyConsul, {
  consul: { address },
  service: { name, check: { interval: '1s' } },
  drain: '200ms',
  closeOnSignals: true,
});
app.addHook('onClose', async () => process.stdout.write('closed\\n'));
app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.stdout.write('listening\\n'));
`;

describe('closeOnSignals', () => {
  const fx = useAgent();

  it('closes gracefully on SIGTERM (deregistering), then ends by the signal', async () => {
    const consul = fx.client();
    const name = uniqueName('sig');
    const child = spawn(process.execPath, ['-e', SCRIPT, fx.agent.address, name], {
      cwd: path.join(__dirname, '..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = once(child, 'exit');
    try {
      await waitFor(
        () => out,
        (text) => text.includes('listening'),
      );
      await waitFor(
        () => consul.health.service(name, { passing: true }),
        (list) => list.length === 1,
      );
      child.kill('SIGTERM');
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect(out).toContain('closed');
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await consul.catalog.service(name)).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
