import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

/** One call the resource saw. */
export interface ResourceCall {
  kind: 'enter' | 'write';
  who: string;
  token: number;
  accepted: boolean;
  at: number;
}

/**
 * A downstream system protected by a lock: an HTTP server on 127.0.0.1 holding a counter that only
 * accepts fenced calls. `POST /enter?who&token` opens a critical section (refused unless `token` is
 * above every token seen: a stale holder), `POST /leave?who` closes it, `POST /write?who&token` is
 * a one-shot write (refused when `token` is below the highest seen). Two open sections at once is an
 * overlap: the lock failed.
 */
export interface FencedResource {
  readonly url: string;
  readonly calls: ResourceCall[];
  /** Accepted critical sections. */
  readonly count: number;
  readonly overlaps: number;
  /** Calls refused for a stale token. */
  readonly stale: number;
  readonly highest: number;
  close(): Promise<void>;
}

/** Starts the resource on a random loopback port. */
export async function startFencedResource(): Promise<FencedResource> {
  const inside = new Set<string>();
  const calls: ResourceCall[] = [];
  const state = { count: 0, overlaps: 0, stale: 0, highest: 0 };
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://resource');
    const who = url.searchParams.get('who') ?? '?';
    const token = Number(url.searchParams.get('token'));
    const at = performance.now();
    switch (url.pathname) {
      case '/enter': {
        if (inside.size > 0 && !inside.has(who)) state.overlaps++;
        const accepted = Number.isSafeInteger(token) && token > state.highest;
        calls.push({ kind: 'enter', who, token, accepted, at });
        if (!accepted) {
          state.stale++;
          return answer(res, 409, { accepted, highest: state.highest });
        }
        state.highest = token;
        state.count++;
        inside.add(who);
        return answer(res, 200, { accepted, count: state.count });
      }
      case '/leave':
        inside.delete(who);
        return answer(res, 200, {});
      case '/write': {
        const accepted = Number.isSafeInteger(token) && token >= state.highest;
        calls.push({ kind: 'write', who, token, accepted, at });
        if (!accepted) {
          state.stale++;
          return answer(res, 409, { accepted, highest: state.highest });
        }
        state.highest = token;
        return answer(res, 200, { accepted });
      }
      default:
        return answer(res, 404, {});
    }
  });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    get count() {
      return state.count;
    },
    get overlaps() {
      return state.overlaps;
    },
    get stale() {
      return state.stale;
    },
    get highest() {
      return state.highest;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
