import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { type AddressInfo } from 'node:net';
import { ServiceClient, createStaticSource, silentLogger } from '../src';
import { useAgent } from './support/agent';

/**
 * Core README, "Discovery-backed HTTP client" (and the adapters' `service.meta`): an instance whose
 * `meta.scheme` is `https` is called over TLS, verified with the client's `tls` options.
 */
describe('ServiceClient and instances with meta.scheme https', () => {
  // A TLS agent only for its files: a CA and a certificate for 127.0.0.1, made by `consul tls`.
  const fx = useAgent({ tls: true });
  let server: Server;
  let ca: string;
  let port: number;

  beforeAll(async () => {
    const files = fx.agent.tlsFiles as { ca: string; cert: string; key: string };
    ca = readFileSync(files.ca, 'utf8');
    server = createServer(
      { cert: readFileSync(files.cert), key: readFileSync(files.key) },
      (req, res) => res.end(`tls ${req.url}`),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const source = () =>
    createStaticSource('secure', [
      { id: 'secure-1', address: '127.0.0.1', port, meta: { scheme: 'https' } },
    ]);

  it('dials TLS and verifies the instance with the tls options', async () => {
    const client = new ServiceClient(source(), { tls: { ca } }, silentLogger);
    const res = await client.get('/hello');
    expect(await res.body.text()).toBe('tls /hello');
    await client.close();
  });

  it('refuses an instance its CA does not vouch for (so it really is TLS)', async () => {
    const client = new ServiceClient(source(), { retries: 0 }, silentLogger);
    await expect(client.get('/hello')).rejects.toThrow(/certificate|self.signed|issuer/i);
    await client.close();
  });
});
