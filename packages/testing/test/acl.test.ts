import { useAgent } from './helpers';

describe('startConsul({ acl: true })', () => {
  const agent = useAgent({ acl: true });

  it('denies an anonymous KV write with 403', async () => {
    const res = await fetch(`${agent().address}/v1/kv/acl/anonymous`, { method: 'PUT', body: 'x' });
    expect(res.status).toBe(403);
    expect(await res.text()).toMatch(/permission denied/i);
  });

  it('allows the write with the master token in X-Consul-Token', async () => {
    const { address, token } = agent();
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const headers = { 'X-Consul-Token': token as string };
    const put = await fetch(`${address}/v1/kv/acl/allowed`, {
      method: 'PUT',
      body: 'yes',
      headers,
    });
    expect(put.status).toBe(200);
    const get = await fetch(`${address}/v1/kv/acl/allowed?raw`, { headers });
    expect(await get.text()).toBe('yes');
  });
});
