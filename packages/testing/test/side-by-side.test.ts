import { type ConsulAgent } from '../src';
import { useAgent } from './helpers';

describe('two agents side by side', () => {
  const first = useAgent();
  const second = useAgent();

  it('use distinct ports and keep separate state', async () => {
    const [a, b] = [first(), second()];
    const ports = (x: ConsulAgent) => [x.httpPort, x.dnsPort, x.serverPort, x.serfLanPort];
    expect(new Set([...ports(a), ...ports(b)]).size).toBe(8);
    expect(a.pid).not.toBe(b.pid);

    await fetch(`${a.address}/v1/kv/side/only-a`, { method: 'PUT', body: 'a' });
    expect((await fetch(`${a.address}/v1/kv/side/only-a`)).status).toBe(200);
    expect((await fetch(`${b.address}/v1/kv/side/only-a`)).status).toBe(404);
    for (const agent of [a, b]) {
      const leader = await (await fetch(`${agent.address}/v1/status/leader`)).json();
      expect(leader).toBe(`127.0.0.1:${agent.serverPort}`);
    }
  });
});
