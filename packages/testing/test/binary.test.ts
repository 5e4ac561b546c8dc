import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ConsulBinaryNotFoundError,
  OFFICIAL_RELEASE,
  ensureConsulBinary,
  freePorts,
  type ConsulBinary,
} from '../src';
import { silentLogger } from '../src/log';
import { isExecutable } from '../src/which';

const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

async function failure(attempt: Promise<ConsulBinary>): Promise<ConsulBinaryNotFoundError> {
  const err: unknown = await attempt.then(
    () => new Error('a binary was found'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConsulBinaryNotFoundError);
  return err as ConsulBinaryNotFoundError;
}

describe('ensureConsulBinary when every source fails', () => {
  let dir: string;
  let server: Server | undefined;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'consulkit-binary-test-'));
  });

  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('throws one error listing each source and why', async () => {
    const notBinary = path.join(dir, 'consul');
    writeFileSync(notBinary, '#!/bin/sh\necho "not consul"\n', { mode: 0o755 });
    const err = await failure(
      ensureConsulBinary({
        env: { CONSUL_BIN: notBinary, PATH: '' },
        cacheDir: path.join(dir, 'cache'),
        skipDownload: true,
        sources: ['CONSUL_BIN', 'PATH', 'cache', 'official-release'],
        logger: silentLogger,
      }),
    );
    expect(err.code).toBe('CONSULKIT_BINARY_NOT_FOUND');
    expect(err.attempts.map((a) => a.source)).toEqual([
      'CONSUL_BIN',
      'PATH',
      'cache',
      'official-release',
      'debian-package',
    ]);
    const reasons = Object.fromEntries(err.attempts.map((a) => [a.source, a.reason]));
    expect(reasons.CONSUL_BIN).toContain(`${notBinary} is not a working consul binary`);
    expect(reasons.PATH).toBe('no consul on PATH');
    expect(reasons.cache).toBe(`nothing cached in ${path.join(dir, 'cache')}`);
    expect(reasons['official-release']).toBe('skipped (skipDownload)');
    expect(reasons['debian-package']).toMatch(/disabled/);
    for (const attempt of err.attempts) {
      expect(err.message).toContain(`- ${attempt.source}: ${attempt.reason}`);
    }
  });

  it('fails the download fast when nothing answers, then falls through to Debian', async () => {
    const [closedPort] = await freePorts(1);
    const started = Date.now();
    const err = await failure(
      ensureConsulBinary({
        env: { PATH: '' },
        cacheDir: path.join(dir, 'cache'),
        sources: ['official-release', 'debian-package'],
        releaseBaseUrl: `http://127.0.0.1:${closedPort}`,
        logger: silentLogger,
      }),
    );
    // Measured, not asserted: a refused connection fails at once, not after the 5 s connect
    // timeout (which a loopback address cannot provoke), as the reason below shows.
    console.log(`download from a refused address failed after ${Date.now() - started} ms`);
    const reasons = Object.fromEntries(err.attempts.map((a) => [a.source, a.reason]));
    expect(reasons['official-release']).toMatch(/ECONNREFUSED/);
    expect(reasons['official-release']).not.toMatch(/no connection .* within/);
    expect(reasons['official-release']).toContain(`127.0.0.1:${closedPort}/consul/`);
    // Debian was tried after the download failed; with an empty PATH it finds no apt-get.
    expect(reasons['debian-package']).toMatch(/apt-get and dpkg-deb|root|Linux/);
  });

  it('refuses a downloaded archive whose SHA-256 is not the pinned one', async () => {
    const requested: string[] = [];
    server = createServer((req, res) => {
      requested.push(req.url ?? '');
      res.end('this is not the consul release');
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const cacheDir = path.join(dir, 'cache');
    const err = await failure(
      ensureConsulBinary({
        env: { PATH: '' },
        cacheDir,
        sources: ['official-release'],
        releaseBaseUrl: `http://127.0.0.1:${port}/`,
        logger: silentLogger,
      }),
    );
    const v = OFFICIAL_RELEASE.version;
    const key = `${process.platform}_${GO_ARCH[process.arch] ?? process.arch}`;
    expect(requested).toEqual([`/consul/${v}/consul_${v}_${key}.zip`]);
    const reason = err.attempts.find((a) => a.source === 'official-release')?.reason;
    expect(reason).toMatch(/SHA-256 mismatch/);
    expect(reason).toContain(OFFICIAL_RELEASE.sha256[key]);
    expect(isExecutable(path.join(cacheDir, 'bin', 'consul'))).toBe(false);
  });
});

describe('OFFICIAL_RELEASE', () => {
  it('pins a current 1.2x version with a SHA-256 for each supported platform', () => {
    expect(OFFICIAL_RELEASE.version).toMatch(/^1\.2\d\.\d+$/);
    for (const key of ['linux_amd64', 'linux_arm64', 'darwin_amd64', 'darwin_arm64']) {
      expect(OFFICIAL_RELEASE.sha256[key]).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});
