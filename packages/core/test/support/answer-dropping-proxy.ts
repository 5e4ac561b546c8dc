import { type AddressInfo, connect, createServer, type Socket } from 'node:net';

const REQUEST_LINE = /^(GET|PUT|POST|DELETE|HEAD|OPTIONS|PATCH) (\S+) HTTP\/1\.[01]\r\n/;

/**
 * A TCP proxy on 127.0.0.1 in front of a real agent that can lose answers: the request reaches
 * Consul (a write is applied), then the client's connection is reset instead of getting the answer.
 * That is the failure a retry policy must tell apart from a refused connection: the call may have
 * taken effect.
 */
export interface AnswerDroppingProxy {
  /** `http://127.0.0.1:<port>`: give it to the client as the agent address. */
  readonly address: string;
  /** `METHOD path?query` of every request that went through, in order. */
  readonly requests: string[];
  /** Lose the answer of the request at this position of `requests` (`Infinity`: none). */
  loseAnswerOf(position: number): void;
  /** From now on, swallow every request (pooled connections too): an agent that never answers. */
  hang(): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (`http://host:port`), passing everything until `loseAnswerOf()`. */
export async function startAnswerDroppingProxy(target: string): Promise<AnswerDroppingProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let lose = Infinity;
  let hanging = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  const server = createServer((client) => {
    track(client);
    const agent = connect(Number(upstream.port), upstream.hostname);
    track(agent);
    // Requests on this connection whose answers are to be lost, in order.
    const doomed: boolean[] = [];
    client.on('data', (chunk: Buffer) => {
      const line = REQUEST_LINE.exec(chunk.toString('latin1'));
      if (line) {
        doomed.push(requests.length === lose);
        requests.push(`${line[1]} ${line[2]}`);
      }
      if (!hanging) agent.write(chunk);
    });
    agent.on('data', (chunk: Buffer) => {
      if (doomed[0]) {
        // Consul answered: the call took effect. The client gets a reset instead.
        client.resetAndDestroy();
        agent.destroy();
        return;
      }
      if (chunk.toString('latin1').startsWith('HTTP/')) doomed.shift();
      client.write(chunk);
    });
    client.on('end', () => agent.end());
    agent.on('end', () => client.end());
    client.on('close', () => agent.destroy());
    agent.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `http://127.0.0.1:${port}`,
    requests,
    loseAnswerOf(position) {
      lose = position;
    },
    hang() {
      hanging = true;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
