import { type Backend, deadAddress, fetchJson, startBackend } from '../src';

describe('startBackend and fetchJson', () => {
  let backend: Backend;
  beforeAll(async () => {
    backend = await startBackend((req) => ({ method: req.method, path: req.url }));
  });
  afterAll(() => backend.close());

  it('answers every request with JSON on a loopback port, and records it', async () => {
    const base = `http://127.0.0.1:${backend.port}`;
    const reply = await fetchJson<{ method: string; path: string }>(base, '/objects/a?x=1');
    expect(reply.status).toBe(200);
    expect(reply.headers.get('content-type')).toBe('application/json');
    expect(reply.body).toEqual({ method: 'GET', path: '/objects/a?x=1' });
    expect((await fetchJson(base, '/objects/a', 'DELETE')).body).toEqual({
      method: 'DELETE',
      path: '/objects/a',
    });
    expect(backend.received).toEqual([
      { method: 'GET', url: '/objects/a?x=1', userAgent: 'node' },
      { method: 'DELETE', url: '/objects/a', userAgent: 'node' },
    ]);
  });
});

describe('deadAddress', () => {
  it('is a loopback URL where nothing listens, a new one each time', async () => {
    const [first, second] = [await deadAddress(), await deadAddress()];
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(second).not.toBe(first);
    await expect(fetch(`${first}/v1/status/leader`)).rejects.toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
  });
});
