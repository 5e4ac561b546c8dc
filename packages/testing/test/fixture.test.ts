import { agentConnection, clientFactory, type ConsulAgent, useConsulAgent } from '../src';

// Each fixture lives in an inner describe; the outer test after it runs once the inner block's
// afterAll hooks (the fixture's cleanups and stop) are done, so it can check what they did.
const cleaned: string[] = [];
describe('useConsulAgent', () => {
  const fx = useConsulAgent();
  let early: unknown;
  try {
    void fx.agent; // read while jest collects tests: before beforeAll
  } catch (err) {
    early = err;
  }

  it('gives a running agent inside tests, and runs deferred cleanups before stopping it', async () => {
    const res = await fetch(`${fx.agent.address}/v1/status/leader`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatch(/^127\.0\.0\.1:\d+$/);
    fx.defer(() => cleaned.push('client closed'));
    expect(fx.agent.running).toBe(true);
  });

  it('throws a clear error when the agent is read before beforeAll', () => {
    expect(early).toBeInstanceOf(Error);
    expect((early as Error).message).toMatch(/not started yet/);
  });
});

describe('useConsulAgent after its block', () => {
  it('ran the deferred cleanups', () => {
    expect(cleaned).toEqual(['client closed']);
  });
});

const made: Array<{ address: string; tag: string | undefined; closed: boolean }> = [];
describe('useConsulAgent with a client factory', () => {
  const fx = useConsulAgent({}, (agent, tag?: string) => {
    const client = {
      address: agent.address,
      tag,
      closed: false,
      close() {
        client.closed = true;
      },
    };
    made.push(client);
    return client;
  });

  it('makes clients on the running agent with the given options', () => {
    const client = fx.client('assertions');
    expect(client).toMatchObject({ address: fx.agent.address, tag: 'assertions', closed: false });
    expect(fx.client().tag).toBeUndefined();
  });
});

describe('useConsulAgent with a client factory, after its block', () => {
  it('closed every client it made', () => {
    expect(made).toHaveLength(2);
    expect(made.every((c) => c.closed)).toBe(true);
  });
});

describe('agentConnection', () => {
  it('gives the address, and the token and CA only when the agent has them', () => {
    const plain = { address: 'http://127.0.0.1:8500', token: undefined, ca: undefined };
    expect(agentConnection(plain as unknown as ConsulAgent)).toEqual({
      address: 'http://127.0.0.1:8500',
    });
    const secured = { address: 'https://127.0.0.1:8501', token: 't0k3n', ca: 'PEM' };
    expect(agentConnection(secured as unknown as ConsulAgent)).toEqual({
      address: 'https://127.0.0.1:8501',
      token: 't0k3n',
      tls: { ca: 'PEM' },
    });
  });
});

/** A client class recording the options it was made with, as `new Consul(options)` takes them. */
class RecordingClient {
  static made: RecordingClient[] = [];
  closed = false;
  constructor(
    readonly options: {
      address?: string;
      token?: string;
      tls?: { ca: string };
      logger?: string;
      timeout?: string;
    } = {},
  ) {
    RecordingClient.made.push(this);
  }
  close(): void {
    this.closed = true;
  }
}

describe('clientFactory with useConsulAgent', () => {
  const fx = useConsulAgent(
    { acl: true, tls: true },
    clientFactory(RecordingClient, { logger: 'silent', timeout: '5s' }),
  );

  it("makes clients with the agent's connection, the defaults, then each call's options", () => {
    const { address, token, ca } = fx.agent;
    expect(fx.client().options).toEqual({
      address,
      token,
      tls: { ca },
      logger: 'silent',
      timeout: '5s',
    });
    expect(fx.client({ timeout: '1s', token: 'other' }).options).toEqual({
      address,
      token: 'other',
      tls: { ca },
      logger: 'silent',
      timeout: '1s',
    });
  });
});

describe('clientFactory with useConsulAgent, after its block', () => {
  it('closed every client it made', () => {
    expect(RecordingClient.made).toHaveLength(2);
    expect(RecordingClient.made.every((c) => c.closed)).toBe(true);
  });
});
