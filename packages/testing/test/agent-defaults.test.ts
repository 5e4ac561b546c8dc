import { useConsulAgent } from '../src';

/** What `startConsul()` gives without options (testing README, "startConsul(options?)"). */
describe('startConsul() defaults', () => {
  const fx = useConsulAgent();

  it('a dev agent in dc1, named consulkit-<random>, on loopback, without ACL or TLS', async () => {
    const { agent } = fx;
    expect(agent.datacenter).toBe('dc1');
    expect(agent.nodeName).toMatch(/^consulkit-[0-9a-f]{8}$/);
    expect(agent.address).toBe(`http://127.0.0.1:${agent.httpPort}`);
    expect(agent.token).toBeUndefined();
    expect(agent.ca).toBeUndefined();
    const self = (await (await fetch(`${agent.address}/v1/agent/self`)).json()) as {
      Config: { Datacenter: string; NodeName: string };
    };
    expect(self.Config).toMatchObject({ Datacenter: 'dc1', NodeName: agent.nodeName });
  });

  it("logs() gives the agent's recent output", () => {
    expect(fx.agent.logs()).toMatch(/Consul agent running!/);
  });
});
