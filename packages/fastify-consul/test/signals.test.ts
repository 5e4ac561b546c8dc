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
app.get('/ping', async () => 'pong');
app.register(fastifyConsul, {
  consul: { address },
  service: { name, check: { interval: '1s' } },
  drain: '1500ms',
  closeOnSignals: true,
});
app.addHook('onClose', async () => process.stdout.write('closed\\n'));
app
  .listen({ port: 0, host: '127.0.0.1' })
  .then(() => process.stdout.write('listening ' + app.server.address().port + '\\n'));
`;

describe('closeOnSignals', () => {
  const fx = useAgent();

  it('drains on SIGTERM while still serving, deregisters, closes, then ends by the signal', async () => {
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
      const port = Number(/listening (\d+)/.exec(out)?.[1]);
      child.kill('SIGTERM');
      // Drain first, while the server still serves normally: Consul stops listing the instance
      // as passing, and a consumer with a stale cache still gets a real answer (not a 503).
      const during = await waitFor(
        async () => ({
          passing: (await consul.health.service(name, { passing: true })).length,
          ping: await fetch(`http://127.0.0.1:${port}/ping`).then(async (r) => ({
            status: r.status,
            body: await r.text(),
          })),
        }),
        (s) => s.passing === 0,
        { timeout: 1_400, interval: 50 },
      );
      expect(during.ping).toEqual({ status: 200, body: 'pong' });
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect(out).toContain('closed');
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGTERM' });
      expect(await consul.catalog.service(name)).toEqual([]);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
