import { httpsGet, useAgent } from './helpers';

describe('startConsul({ tls: true })', () => {
  const agent = useAgent({ tls: true });

  it('serves HTTPS that verifies against the returned CA', async () => {
    const { address, ca, httpsPort, serverPort } = agent();
    expect(address).toBe(`https://127.0.0.1:${httpsPort}`);
    expect(ca).toContain('-----BEGIN CERTIFICATE-----');
    const res = await httpsGet(`${address}/v1/status/leader`, ca);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toBe(`127.0.0.1:${serverPort}`);
  });

  it('fails a request that does not trust the CA', async () => {
    await expect(httpsGet(`${agent().address}/v1/status/leader`)).rejects.toMatchObject({
      code: expect.stringMatching(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/),
    });
  });
});
