import { ConsulOptionError } from '../src';
import { useAgent } from './support/agent';
import { unique, waitFor } from './support/endpoints-helpers';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('status and event endpoints', () => {
  const fx = useAgent();

  it('status names the leader and the peers', async () => {
    const consul = fx.client();
    const leader = await consul.status.leader();
    expect(leader).toBe(`127.0.0.1:${fx.agent.serverPort}`);
    expect(await consul.status.peers()).toEqual([leader]);
  });

  it('fires events and lists back those this agent handles, payloads decoded', async () => {
    const consul = fx.client();
    const name = unique('deploy');
    // An agent records an event only when its filters match the agent's own services.
    await consul.agent.service.register({ name: `${name}-svc`, tags: ['v1'] });
    const fired = await consul.event.fire(name, 'version=2', { service: `${name}-svc`, tag: 'v1' });
    expect(fired).toMatchObject({
      name,
      payload: 'version=2',
      serviceFilter: `${name}-svc`,
      tagFilter: 'v1',
      nodeFilter: '',
    });
    expect(fired.id).toMatch(/^[0-9a-f-]{36}$/);
    const bytes = await consul.event.fire(name, new Uint8Array([1, 2, 255]), {
      node: fx.agent.nodeName,
    });
    expect(bytes.rawPayload).toEqual(Buffer.from([1, 2, 255]));
    const empty = await consul.event.fire(name);
    expect(empty.payload).toBeNull();
    // Filtered to a service this node does not run: the agent does not record it.
    const elsewhere = await consul.event.fire(name, 'x', { service: 'web', tag: 'v1' });
    expect(elsewhere).toMatchObject({ serviceFilter: 'web', tagFilter: 'v1' });

    const found = await waitFor(
      async () => {
        const events = await consul.event.list({ name });
        return events.length >= 3 ? events : undefined;
      },
      { timeout: 4_000 },
    );
    if (!found) throw new Error('the fired events were never listed');
    const listed = found;
    // Consul's index here is a hash of the last event ID (often above 2^53), not a Raft index.
    expect(listed.meta.index).toBeGreaterThan(0);
    expect(listed.map((e) => e.id)).toEqual([fired.id, bytes.id, empty.id]);
    expect(listed[0]).toMatchObject({ payload: 'version=2', serviceFilter: `${name}-svc` });
    expect(listed[1]?.rawPayload).toEqual(Buffer.from([1, 2, 255]));
    expect(listed[1]?.nodeFilter).toBe(fx.agent.nodeName);
    expect(listed.every((e) => e.lTime > 0)).toBe(true);
    expect((await consul.event.list({ name: unique('other') })).length).toBe(0);
  });

  it('rejects a tag filter without a service filter', async () => {
    await expect(fx.client().event.fire('x', 'y', { tag: 'v1' })).rejects.toBeInstanceOf(
      ConsulOptionError,
    );
  });
});
