import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type Dispatcher } from 'undici';
import { ConsulTimeoutError, ServiceClient, createStaticSource, silentLogger } from '../src';
import { CallSignal, type CallTimeoutSource } from '../src/http/call-signal';
import { DeadlineList } from '../src/http/deadlines';

/** Builds timeout errors the way ServiceClient does, recording what it was asked. */
const owner: CallTimeoutSource = {
  timeoutError: (method, path, ms) =>
    new ConsulTimeoutError(`${method} ${path} after ${ms} ms`, {}),
};

/** A local server: `/ok` answers at once; `/stall` sends headers and one chunk, then stalls. */
async function startServer(): Promise<{ origin: string; stop: () => Promise<void> }> {
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    if (req.url === '/stall') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      stalled.add(res);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 });
    res.end('ok');
  });
  server.keepAliveTimeout = 2_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: async () => {
      for (const res of stalled) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('CallSignal (ServiceClient call signal and deadline)', () => {
  it('is released when undici unsubscribes after the body is consumed', async () => {
    const server = await startServer();
    const pool = new Pool(server.origin);
    try {
      const deadlines = new DeadlineList();
      const call = new CallSignal(deadlines, owner, 'GET', '/ok', 10_000, undefined);
      call.dispatching();
      const res = await pool.request({
        method: 'GET',
        path: '/ok',
        signal: call as unknown as AbortSignal,
      });
      expect(call.subscribed).toBe(true);
      call.handOut(res.body);
      // undici still listens until the body closes: the deadline keeps covering it.
      expect(deadlines.size).toBe(1);
      expect(await res.body.text()).toBe('ok');
      await new Promise((r) => setImmediate(r));
      expect(deadlines.size).toBe(0);
      expect(call.active).toBe(false);
      expect(call.aborted).toBe(false);
    } finally {
      await pool.close();
      await server.stop();
    }
  });

  it("covers the response body: a stalled body fails with the client's timeout error", async () => {
    const server = await startServer();
    const source = createStaticSource('stall', [
      { id: 's0', address: '127.0.0.1', port: Number(new URL(server.origin).port) },
    ]);
    const client = new ServiceClient(source, { timeout: 150 }, silentLogger);
    try {
      const res = await client.get('/stall');
      expect(res.statusCode).toBe(200);
      const err = await res.body.text().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConsulTimeoutError);
      expect((err as Error).message).toContain('GET /stall to service "stall"');
    } finally {
      await client.close();
      await server.stop();
    }
  });

  it('keeps the deadline across attempts: an unsubscribe before handOut (a failed attempt) does not release it', () => {
    const deadlines = new DeadlineList();
    const call = new CallSignal(deadlines, owner, 'GET', '/', 10_000, undefined);
    const listener = () => undefined;
    call.dispatching();
    call.addEventListener('abort', listener);
    call.removeEventListener('abort', listener);
    expect(deadlines.size).toBe(1);
    // The next attempt subscribes again; its unsubscribe after handOut ends the call.
    call.dispatching();
    call.on('abort', listener);
    call.handOut({ on: () => undefined });
    expect(deadlines.size).toBe(1);
    call.removeListener('abort', listener);
    expect(deadlines.size).toBe(0);
  });

  it('releases at handOut when the dispatcher already unsubscribed, and on body close when it never subscribed', () => {
    const deadlines = new DeadlineList();
    const done = new CallSignal(deadlines, owner, 'GET', '/', 10_000, undefined);
    const listener = () => undefined;
    done.dispatching();
    done.addEventListener('abort', listener);
    done.removeEventListener('abort', listener);
    done.handOut({ on: () => undefined });
    expect(done.active).toBe(false);

    const silent = new CallSignal(deadlines, owner, 'GET', '/', 10_000, undefined);
    silent.dispatching();
    let onClose: (() => void) | undefined;
    silent.handOut({ on: (_event, l) => (onClose = l) });
    expect(silent.active).toBe(true);
    expect(onClose).toBeDefined();
    onClose?.();
    expect(silent.active).toBe(false);
    expect(deadlines.size).toBe(0);
  });

  it('aborts once at the deadline: every listener, the AbortSignal view and the timeout error', async () => {
    const deadlines = new DeadlineList();
    const call = new CallSignal(deadlines, owner, 'PUT', '/x', 20, undefined);
    const view = call.toAbortSignal();
    const seen: string[] = [];
    call.addEventListener('abort', () => seen.push('first'));
    call.on('abort', () => seen.push('second'));
    for (let waited = 0; !call.aborted && waited < 2_000; waited += 5) {
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(call.aborted).toBe(true);
    expect(call.timeoutError).toBeInstanceOf(ConsulTimeoutError);
    expect(call.reason).toBe(call.timeoutError);
    expect(call.timeoutError?.message).toBe('PUT /x after 20 ms');
    expect(view.aborted).toBe(true);
    expect(view.reason).toBe(call.reason);
    expect(seen).toEqual(['first', 'second']);
    expect(() => call.throwIfAborted()).toThrow(call.timeoutError);
    // A late subscriber is not called (undici checks `aborted` first anyway).
    call.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual(['first', 'second']);
  });

  it("forwards the caller's abort, and starts aborted (no deadline) for an aborted caller signal", () => {
    const deadlines = new DeadlineList();
    const controller = new AbortController();
    const call = new CallSignal(deadlines, owner, 'GET', '/', 10_000, controller.signal);
    expect(call.active).toBe(true);
    const reason = new Error('caller gave up');
    controller.abort(reason);
    expect(call.aborted).toBe(true);
    expect(call.reason).toBe(reason);
    expect(call.timeoutError).toBeUndefined();
    expect(call.active).toBe(false);

    const early = new CallSignal(deadlines, owner, 'GET', '/', 10_000, AbortSignal.abort(reason));
    expect(early.aborted).toBe(true);
    expect(early.reason).toBe(reason);
    expect(deadlines.size).toBe(0);
  });

  it('passes undici request validation as a signal (EventTarget and EventEmitter surfaces)', async () => {
    const server = await startServer();
    const pool = new Pool(server.origin);
    try {
      const deadlines = new DeadlineList();
      const call = new CallSignal(deadlines, owner, 'GET', '/stall', 30, undefined);
      const res: Dispatcher.ResponseData = await pool.request({
        method: 'GET',
        path: '/stall',
        signal: call as unknown as AbortSignal,
      });
      call.handOut(res.body);
      const err = await res.body.text().catch((e: unknown) => e);
      expect(err).toBe(call.timeoutError);
      expect(typeof call.on).toBe('function');
      expect(typeof call.addEventListener).toBe('function');
    } finally {
      await pool.close();
      await server.stop();
    }
  });
});
