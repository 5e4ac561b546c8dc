import { connect, createServer, type Server, type Socket } from 'node:net';
import { type AddressInfo } from 'node:net';

/**
 * What the proxy does to a new connection:
 * - `pass`: forwards both ways;
 * - `latency`: forwards, delaying every chunk by `latencyMs` (order kept);
 * - `drop`: resets the connection as soon as it is accepted;
 * - `half-open`: accepts and reads, never answers, never closes;
 * - `truncate`: forwards the request, then only the first `truncateAt` bytes of the answer, then
 *   closes both sides.
 */
export type FaultMode = 'pass' | 'latency' | 'drop' | 'half-open' | 'truncate';

export interface FaultSettings {
  mode: FaultMode;
  latencyMs?: number;
  truncateAt?: number;
}

/** A TCP proxy on 127.0.0.1 between a client and a Consul agent, injecting faults. */
export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: give it to the client as the agent address. */
  readonly address: string;
  /** Connections accepted so far, per mode. */
  readonly accepted: Record<FaultMode, number>;
  /** Changes the fault for new connections and closes the open ones (pooled sockets included). */
  set(settings: FaultSettings): void;
  close(): Promise<void>;
}

/** Starts a proxy to `target` (an `http://host:port` URL) in `pass` mode. */
export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const upstream = new URL(target);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let settings: FaultSettings = { mode: 'pass' };
  const accepted: Record<FaultMode, number> = {
    pass: 0,
    latency: 0,
    drop: 0,
    'half-open': 0,
    truncate: 0,
  };
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  };
  /** Writes each chunk `delayMs` after it arrived, in order. */
  const pipeDelayed = (from: Socket, to: Socket, delayMs: number, limit?: number) => {
    let sent = 0;
    from.on('data', (chunk: Buffer) => {
      const write = () => {
        if (to.destroyed) return;
        if (limit === undefined) {
          to.write(chunk);
          return;
        }
        const room = limit - sent;
        if (room > 0) to.write(chunk.subarray(0, room));
        sent += chunk.length;
        if (sent >= limit) {
          // Let the partial answer leave, then cut both sides.
          to.end(() => to.destroy());
          from.destroy();
        }
      };
      if (delayMs <= 0) return write();
      const timer = setTimeout(() => {
        timers.delete(timer);
        write();
      }, delayMs);
      timers.add(timer);
    });
    from.on('end', () => {
      if (delayMs <= 0) return to.end();
      const timer = setTimeout(() => {
        timers.delete(timer);
        to.end();
      }, delayMs);
      timers.add(timer);
    });
  };
  const server: Server = createServer((client) => {
    track(client);
    const { mode, latencyMs = 0, truncateAt = 64 } = settings;
    accepted[mode]++;
    if (mode === 'drop') {
      client.resetAndDestroy();
      return;
    }
    if (mode === 'half-open') {
      client.resume(); // read and discard: the peer sees a connection that never answers
      return;
    }
    const agent = connect(Number(upstream.port), upstream.hostname);
    track(agent);
    agent.on('close', () => client.destroy());
    client.on('close', () => agent.destroy());
    const delayMs = mode === 'latency' ? latencyMs : 0;
    pipeDelayed(client, agent, delayMs);
    pipeDelayed(agent, client, delayMs, mode === 'truncate' ? truncateAt : undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const closeAll = () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  return {
    address: `http://127.0.0.1:${port}`,
    accepted,
    set(next) {
      settings = { ...next };
      closeAll();
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      closeAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
