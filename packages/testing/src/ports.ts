import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

/**
 * Returns `count` distinct ports that are free on 127.0.0.1 for both TCP and UDP right now (Serf
 * needs both). Ports handed out earlier in this process are never handed out again.
 */
export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  const ports: number[] = [];
  for (let tries = 0; ports.length < count && tries < count * 50; tries++) {
    const port = await freeTcpPort(host);
    if (handedOut.has(port) || ports.includes(port)) continue;
    if (!(await udpPortFree(port, host))) continue;
    ports.push(port);
  }
  if (ports.length < count) throw new Error(`could not find ${count} free ports on ${host}`);
  for (const port of ports) handedOut.add(port);
  return ports;
}

function freeTcpPort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function udpPortFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/**
 * `http://127.0.0.1:<port>` where nothing listens (a port just found free, never handed out again by
 * {@link freePorts}): an unreachable Consul agent, for failure paths.
 */
export async function deadAddress(): Promise<string> {
  const [port] = await freePorts(1);
  return `http://127.0.0.1:${port}`;
}
