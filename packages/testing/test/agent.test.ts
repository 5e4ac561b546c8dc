import { existsSync } from 'node:fs';
import { useAgent, waitUntilGone } from './helpers';

describe('startConsul (dev agent)', () => {
  const agent = useAgent();

  it('serves the HTTP API on a random loopback port with a leader', async () => {
    const { address, serverPort, version, running } = agent();
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${address}/v1/status/leader`);
    expect(res.status).toBe(200);
    expect(await res.json()).toBe(`127.0.0.1:${serverPort}`);
    expect(version).toMatch(/^\d+\.\d+\.\d+/);
    expect(running).toBe(true);
  });

  it('loses its KV data on restart', async () => {
    const { address } = agent();
    const put = await fetch(`${address}/v1/kv/harness/probe`, { method: 'PUT', body: 'x' });
    expect(await put.json()).toBe(true);
    const pidBefore = agent().pid;
    await agent().restart();
    expect(agent().pid).not.toBe(pidBefore);
    const get = await fetch(`${address}/v1/kv/harness/probe`);
    expect(get.status).toBe(404);
  });
});

describe('stop()', () => {
  const agent = useAgent(); // its afterAll stop() is then a no-op

  it('ends the agent process and removes its data folder', async () => {
    const { pid, dataDir } = agent();
    expect(existsSync(dataDir)).toBe(true);
    await agent().stop();
    await waitUntilGone(pid as number);
    expect(agent().running).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
  });
});
