import { readFileSync } from 'node:fs';
import {
  agentConnection,
  catalogIds,
  ConsulHarnessOptionError,
  consulCli,
  startConsul,
  uniqueName,
} from '../src';
import { httpsGet, useAgent } from './helpers';

/** The client certificate and key PEM of an agent started with `verifyIncoming`. */
function clientPems(files: { clientCert?: string; clientKey?: string } | undefined) {
  return {
    cert: readFileSync(files?.clientCert ?? '', 'utf8'),
    key: readFileSync(files?.clientKey ?? '', 'utf8'),
  };
}

describe('startConsul({ tls: { verifyIncoming: true } })', () => {
  const agent = useAgent({ tls: { verifyIncoming: true } });

  it('exposes the CA, the client certificate and key, and an https-only address', () => {
    const { address, httpAddress, httpsPort, tls, tlsFiles } = agent();
    expect(address).toBe(`https://127.0.0.1:${httpsPort}`);
    expect(httpAddress).toBe(address);
    expect(tls).toMatchObject({ verifyIncoming: true, ca: tlsFiles?.ca });
    expect(readFileSync(tls?.clientCert ?? '', 'utf8')).toContain('-----BEGIN CERTIFICATE-----');
    expect(readFileSync(tls?.clientKey ?? '', 'utf8')).toContain('PRIVATE KEY-----');
  });

  it('answers a request that presents the client certificate', async () => {
    const { address, ca, serverPort, tls } = agent();
    const res = await httpsGet(`${address}/v1/status/leader`, ca, clientPems(tls));
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toBe(`127.0.0.1:${serverPort}`);
  });

  it('refuses a request without a client certificate', async () => {
    const { address, ca } = agent();
    // Consul (Go) answers a missing client certificate with TLS alert 42, bad_certificate.
    await expect(httpsGet(`${address}/v1/status/leader`, ca)).rejects.toMatchObject({
      code: 'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
    });
  });

  it('serves no plain HTTP on the allocated HTTP port', async () => {
    const { httpPort } = agent();
    await expect(fetch(`http://127.0.0.1:${httpPort}/v1/status/leader`)).rejects.toThrow();
  });

  it('agentConnection carries the client certificate and key PEM', () => {
    const connection = agentConnection(agent());
    expect(connection.address).toBe(agent().address);
    expect(connection.tls).toEqual({ ca: agent().ca, ...clientPems(agent().tls) });
  });

  it('consulCli and the catalog helpers reach the agent with the client certificate', async () => {
    const id = uniqueName('mtls-svc');
    await consulCli(agent(), 'services', 'register', `-name=${id}`, `-id=${id}`);
    expect(await catalogIds(agent(), id)).toEqual([id]);
  });
});

describe('startConsul({ tls: true })', () => {
  const agent = useAgent({ tls: true });

  it('keeps plain HTTP and asks for no client certificate', async () => {
    const { address, ca, httpAddress, httpPort, tls } = agent();
    expect(tls).toMatchObject({ verifyIncoming: false });
    expect(tls?.clientCert).toBeUndefined();
    expect(agentConnection(agent()).tls).toEqual({ ca });
    expect(httpAddress).toBe(`http://127.0.0.1:${httpPort}`);
    expect((await fetch(`${httpAddress}/v1/status/leader`)).status).toBe(200);
    expect((await httpsGet(`${address}/v1/status/leader`, ca)).status).toBe(200);
  });
});

describe('the tls option', () => {
  it.each([
    [{ verifyIncoming: 'yes' }, 'tls.verifyIncoming'],
    [{ verify: true }, 'tls.verify'],
    ['on', 'tls'],
  ])('rejects %p naming %s', async (tls, option) => {
    await expect(startConsul({ tls } as never)).rejects.toMatchObject({
      constructor: ConsulHarnessOptionError,
      option,
    });
  });
});
