import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureConsulBinary, silentLogger } from '../src';
import { buildAgentArgs } from '../src/agent-args';
import { makeTlsFiles } from '../src/tls-files';

const cert = (file: string | undefined) => new X509Certificate(readFileSync(file ?? ''));

describe('makeTlsFiles (consul tls)', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'consulkit-tls-files-'));
    dirs.push(dir);
    return dir;
  };

  it('issues a client certificate signed by the same CA as the server one', async () => {
    const { path: binary } = await ensureConsulBinary({ logger: silentLogger });
    const files = await makeTlsFiles(binary, tempDir(), 'dc7', true);
    const ca = cert(files.ca);
    expect(cert(files.cert).verify(ca.publicKey)).toBe(true);
    expect(cert(files.clientCert).verify(ca.publicKey)).toBe(true);
    expect(cert(files.clientCert).subjectAltName).toContain('client.dc7.consul');
    expect(readFileSync(files.clientKey ?? '', 'utf8')).toContain('PRIVATE KEY-----');
  });

  it('issues no client certificate unless asked', async () => {
    const { path: binary } = await ensureConsulBinary({ logger: silentLogger });
    const files = await makeTlsFiles(binary, tempDir(), 'dc1');
    expect(files.clientCert).toBeUndefined();
    expect(files.clientKey).toBeUndefined();
  });
});

describe('buildAgentArgs with verifyIncoming', () => {
  const base = {
    role: { kind: 'dev' } as const,
    datacenter: 'dc1',
    nodeName: 'n1',
    ports: { http: 1, https: 2, dns: 3, server: 4, serfLan: 5, serfWan: 6 },
    version: '1.8.7',
    tlsFiles: { ca: '/t/ca.pem', cert: '/t/c.pem', key: '/t/k.pem' },
  };

  it('requires client certificates and turns plain HTTP off', () => {
    const args = buildAgentArgs({ ...base, verifyIncoming: true });
    expect(args).toContain('-http-port=-1');
    expect(args).toContain('verify_incoming = true');
    expect(args).toContain('-https-port=2');
  });

  it('keeps plain HTTP and asks for no certificate without it', () => {
    const args = buildAgentArgs(base);
    expect(args).toContain('-http-port=1');
    expect(args.join(' ')).not.toContain('verify_incoming');
  });
});
