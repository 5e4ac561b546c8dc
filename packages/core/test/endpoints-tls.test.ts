import { rootCertificates } from 'node:tls';
import { ConsulTlsError, silentLogger } from '../src';
import { useAgent } from './support/agent';

// Polls of real agents (check intervals, gossip) can take seconds on a loaded machine.
jest.setTimeout(30_000);

describe('endpoints over TLS', () => {
  const fx = useAgent({ tls: true });

  it('verifies the agent with the given CA', async () => {
    const consul = fx.client();
    expect(fx.agent.address).toMatch(/^https:/);
    expect(await consul.kv.put('tls/a', 'secure')).toBe(true);
    expect((await consul.kv.get('tls/a'))?.value).toBe('secure');
    expect((await consul.agent.self()).config.nodeName).toBe(fx.agent.nodeName);
  });

  it('reads the CA from CONSUL_CACERT', async () => {
    const consul = fx.client({
      tls: undefined,
      env: { CONSUL_CACERT: fx.agent.tlsFiles?.ca },
    });
    expect(await consul.status.leader()).toMatch(/^127\.0\.0\.1:/);
  });

  it('fails with ConsulTlsError (not retried) when the CA is wrong', async () => {
    let retries = 0;
    const consul = fx.client({
      tls: { ca: rootCertificates[0] },
      logger: { ...silentLogger, debug: (m) => void (m.startsWith('Retrying') && retries++) },
    });
    const err = await consul.status.leader().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConsulTlsError);
    expect(err).toMatchObject({ code: 'CONSUL_TLS', retryable: false });
    expect(retries).toBe(0);
  });

  it('fails with ConsulTlsError without a CA (system roots do not know the agent)', async () => {
    const consul = fx.client({ tls: true, env: {} });
    await expect(consul.status.leader()).rejects.toMatchObject({ code: 'CONSUL_TLS' });
  });

  it('connects without verification when rejectUnauthorized is false', async () => {
    const consul = fx.client({ tls: { rejectUnauthorized: false }, logger: silentLogger });
    expect(await consul.status.peers()).toHaveLength(1);
  });

  it('upgrades an http:// address to TLS with CONSUL_HTTP_SSL', async () => {
    const httpsAddress = fx.agent.address.replace('https://', 'http://');
    const consul = fx.client({
      address: httpsAddress,
      tls: { ca: fx.agent.ca },
      env: { CONSUL_HTTP_SSL: 'true' },
    });
    expect(consul.transport.activeAddress).toMatch(/^https:/);
    expect(await consul.status.leader()).not.toBe('');
  });
});
