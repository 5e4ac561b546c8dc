import { useAgent } from './helpers';

describe('startConsul({ persistent: true })', () => {
  const agent = useAgent({ persistent: true });

  it('keeps KV data across a restart, on the same ports', async () => {
    const { address } = agent();
    const put = await fetch(`${address}/v1/kv/harness/kept`, { method: 'PUT', body: 'v1' });
    expect(await put.json()).toBe(true);
    await agent().restart();
    expect(agent().address).toBe(address);
    const get = await fetch(`${address}/v1/kv/harness/kept?raw`);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('v1');
  });
});
