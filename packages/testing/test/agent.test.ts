import { startConsul, type ConsulAgent } from '../src';

describe('startConsul (dev agent)', () => {
  let agent: ConsulAgent;

  beforeAll(async () => {
    agent = await startConsul();
  });

  afterAll(async () => {
    await agent.stop();
  });

  it('serves the HTTP API on a random loopback port with a leader', async () => {
    expect(agent.address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${agent.address}/v1/status/leader`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(agent.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('loses its KV data on restart', async () => {
    const put = await fetch(`${agent.address}/v1/kv/harness/probe`, { method: 'PUT', body: 'x' });
    expect(await put.json()).toBe(true);
    await agent.restart();
    const get = await fetch(`${agent.address}/v1/kv/harness/probe`);
    expect(get.status).toBe(404);
  });
});
