import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, Pool, interceptors, type Dispatcher } from 'undici';
import { readWhole } from '../src/internal/read-whole';

/**
 * The transport's answer reader (`readWhole`) against a local node:http server: the HTTP
 * behaviour it must keep from undici's `request()` + `body.text()` (chunked UTF-8 bodies, aborts
 * before and during the body, timeouts, user dispatchers with interceptors).
 */
describe('readWhole (transport answer reader)', () => {
  const stalled = new Set<ServerResponse>();
  let server: Server;
  let origin: string;
  let pool: Pool;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/split-utf8') {
        // "é" (0xC3 0xA9) split across two chunks: decoding per chunk would garble it.
        res.writeHead(200, { 'x-consul-index': '7', 'x-multi': ['a', 'b'] });
        res.write(Buffer.from([0x61, 0xc3]));
        setTimeout(() => res.end(Buffer.from([0xa9, 0x62])), 10);
        return;
      }
      if (req.url === '/stall-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('[');
        stalled.add(res);
        return;
      }
      if (req.url === '/stall-headers') {
        stalled.add(res);
        return;
      }
      if (req.url === '/echo') {
        const parts: Buffer[] = [];
        req.on('data', (c: Buffer) => parts.push(c));
        req.on('end', () => {
          res.writeHead(201, { 'content-type': 'text/plain' });
          res.end(
            `${req.method} ${req.headers['content-type']} ${Buffer.concat(parts).toString()}`,
          );
        });
        return;
      }
      if (req.url === '/empty') {
        res.writeHead(204);
        res.end();
        return;
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('rpc error: No cluster leader');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    pool = new Pool(origin);
  });

  afterAll(async () => {
    for (const res of stalled) res.destroy();
    await pool.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const get = (path: string): Dispatcher.DispatchOptions => ({ origin, path, method: 'GET' });

  it('joins a body whose UTF-8 character spans two chunks, and keeps repeated headers', async () => {
    const answer = await readWhole(pool, get('/split-utf8'), undefined);
    expect(answer.statusCode).toBe(200);
    expect(answer.text).toBe('aéb');
    expect(answer.headers['x-consul-index']).toBe('7');
    expect(answer.headers['x-multi']).toEqual(['a', 'b']);
  });

  it('sends a body and returns error statuses with their text verbatim', async () => {
    const put = await readWhole(
      pool,
      {
        origin,
        path: '/echo',
        method: 'PUT',
        body: 'v=1',
        headers: { 'content-type': 'application/octet-stream' },
      },
      undefined,
    );
    expect(put).toMatchObject({ statusCode: 201, text: 'PUT application/octet-stream v=1' });
    const failed = await readWhole(pool, get('/other'), undefined);
    expect(failed).toMatchObject({ statusCode: 500, text: 'rpc error: No cluster leader' });
    const empty = await readWhole(pool, get('/empty'), undefined);
    expect(empty).toMatchObject({ statusCode: 204, text: '' });
  });

  it('rejects at once with the reason of a signal that already aborted', async () => {
    const reason = new Error('gone');
    await expect(readWhole(pool, get('/echo'), AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('aborts while waiting for headers and while reading the body, with the signal reason', async () => {
    for (const path of ['/stall-headers', '/stall-body']) {
      const controller = new AbortController();
      const pending = readWhole(pool, get(path), controller.signal);
      setTimeout(() => controller.abort(new Error(`stop ${path}`)), 50);
      await expect(pending).rejects.toThrow(`stop ${path}`);
    }
    // The pool still serves calls after the aborted ones.
    await expect(readWhole(pool, get('/empty'), undefined)).resolves.toMatchObject({
      statusCode: 204,
    });
  });

  it('turns a stalled body into undici body timeout', async () => {
    await expect(
      readWhole(pool, { ...get('/stall-body'), bodyTimeout: 100 }, undefined),
    ).rejects.toMatchObject({ code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('works through a user dispatcher composed with interceptors', async () => {
    const seen: string[] = [];
    const agent = new Agent().compose(interceptors.retry({ maxRetries: 0 }), (dispatch) => {
      return (opts, handler) => {
        seen.push(opts.path);
        return dispatch(opts, handler);
      };
    });
    try {
      const answer = await readWhole(agent, get('/split-utf8'), undefined);
      expect(answer.text).toBe('aéb');
      expect(seen).toEqual(['/split-utf8']);
    } finally {
      await agent.close();
    }
  });
});
