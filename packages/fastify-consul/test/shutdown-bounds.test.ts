import { spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { ConsulClosedError } from '@consulkit/core';
import { startConsul } from '@consulkit/testing';
import fastifyConsul from '../src';
import { closeApps, makeApp, uniqueName, useAgent, waitFor } from './support/helpers';

jest.setTimeout(90_000);

/** A service process using the built package with `closeOnSignals: true` and a long drain. */
const SCRIPT = `
const Fastify = require('fastify');
const fastifyConsul = require('@consulkit/fastify');
const [address, name] = process.argv.slice(1);
const app = Fastify();
app.register(fastifyConsul, {
  consul: { address },
  service: { name, check: { interval: '1s' } },
  drain: '60s',
  closeOnSignals: true,
});
app
  .listen({ port: 0, host: '127.0.0.1' })
  .then(() => process.stdout.write('listening\\n'));
`;

/**
 * Shutdown claims of the fastify README: the drain wait is skipped when maintenance cannot be set,
 * SIGINT is handled like SIGTERM, a second signal ends the process at once, and `app.consul`'s
 * factories refuse work once the app has closed. Each "at once" is a generous waitFor limit far
 * below the 60 s drain it skips, with the measured value printed.
 */
describe('shutdown bounds', () => {
  const fx = useAgent();
  afterEach(closeApps);

  it('skips the drain wait when maintenance cannot be set (the agent is gone)', async () => {
    const agent = await startConsul();
    try {
      const { app } = makeApp();
      await app.register(fastifyConsul, {
        consul: { address: agent.address, retry: false, timeout: '1s' },
        service: { name: uniqueName('gone') },
        deregisterTimeout: '1s',
        drain: '60s',
      });
      await app.listen({ port: 0, host: '127.0.0.1' });
      await waitFor(
        () => app.consul.registration?.status,
        (s) => s === 'registered',
      );
      await agent.kill();
      const startedAt = performance.now();
      let closedAt: number | undefined;
      void app.close().then(() => (closedAt = performance.now()));
      await waitFor(() => closedAt !== undefined, { timeout: 30_000 });
      console.log(
        `app.close() with the agent gone: ${(((closedAt as number) - startedAt) / 1000).toFixed(2)} s (drain 60 s skipped)`,
      );
      expect(closedAt).toBeDefined();
    } finally {
      await agent.stop();
    }
  });

  it('drains on SIGINT too, and a second signal ends the process at once, by that signal', async () => {
    const consul = fx.client();
    const name = uniqueName('sigint');
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
      child.kill('SIGINT');
      // The first SIGINT starts the drain: maintenance, so the instance leaves the passing set.
      await waitFor(
        () => consul.health.service(name, { passing: true }),
        (list) => list.length === 0,
      );
      expect(child.exitCode).toBeNull();
      const secondAt = performance.now();
      child.kill('SIGINT');
      let endedAt: number | undefined;
      void exited.then(() => (endedAt = performance.now()));
      await waitFor(() => endedAt !== undefined, { timeout: 20_000 });
      console.log(
        `second SIGINT during a 60 s drain: process ended ${(((endedAt as number) - secondAt) / 1000).toFixed(2)} s later`,
      );
      const [code, signal] = (await exited) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }).toEqual({ code: null, signal: 'SIGINT' });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses config, service, lock and leader once the app has closed', async () => {
    const { app } = makeApp();
    await app.register(fastifyConsul, { client: fx.client(), service: false });
    await app.ready();
    await app.close();
    expect(() => app.consul.config({ prefix: 'closed/' })).toThrow(ConsulClosedError);
    expect(() => app.consul.service('users')).toThrow(ConsulClosedError);
    expect(() => app.consul.lock('closed/lock')).toThrow(ConsulClosedError);
    expect(() => app.consul.leader('closed/leader')).toThrow(ConsulClosedError);
  });
});
