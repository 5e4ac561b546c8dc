import { consulCli, deadAddress, uniqueName, useConsulAgent } from '../src';

/** The raw value of `key`, read over the plain HTTP API with the agent's token. */
async function readKey(agent: { httpAddress: string; token: string | undefined }, key: string) {
  const res = await fetch(`${agent.httpAddress}/v1/kv/${key}?raw`, {
    headers: agent.token ? { 'X-Consul-Token': agent.token } : {},
  });
  return res.text();
}

describe('consulCli against a real agent', () => {
  const fx = useConsulAgent();

  it('runs the official CLI against the agent and resolves with its output', async () => {
    const key = uniqueName('cli/written');
    const out = await consulCli(fx.agent, 'kv', 'put', key, 'by the CLI');
    expect(out).toMatch(/Success! Data written to: /);
    expect(await readKey(fx.agent, key)).toBe('by the CLI');
    expect(await consulCli(fx.agent, 'kv', 'get', key)).toBe('by the CLI\n');
  });

  it('rejects with the stderr of a command that exits non-zero', async () => {
    await expect(consulCli(fx.agent, 'kv', 'get', uniqueName('cli/absent'))).rejects.toThrow(
      /No key exists at/,
    );
  });

  it("ignores the caller's CONSUL_* environment: it reaches this agent", async () => {
    const saved = { ...process.env };
    // Each of these alone makes the CLI fail or go elsewhere.
    process.env.CONSUL_HTTP_ADDR = await deadAddress();
    process.env.CONSUL_HTTP_TOKEN_FILE = '/nonexistent/token';
    process.env.CONSUL_CACERT = '/nonexistent/ca.pem';
    try {
      const key = uniqueName('cli/isolated');
      await consulCli(fx.agent, 'kv', 'put', key, 'here');
      expect(await readKey(fx.agent, key)).toBe('here');
    } finally {
      process.env = saved;
    }
  });
});

describe('consulCli against an agent with ACLs and TLS', () => {
  const fx = useConsulAgent({ acl: true, tls: true });

  it("passes the agent's token and CA", async () => {
    expect(fx.agent.address).toMatch(/^https:/);
    const key = uniqueName('cli/secured');
    await consulCli(fx.agent, 'kv', 'put', key, 'with token');
    expect(await readKey(fx.agent, key)).toBe('with token');
  });
});
