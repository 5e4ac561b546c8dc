import { execFile } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { installIntoCache } from './cache';
import { type HarnessLogger } from './log';
import { findOnPath } from './which';

const execFileAsync = promisify(execFile);

/**
 * Installs Debian bullseye's `consul` package (1.8.7) into the cache with apt's own client and a
 * private source list built from the mirror this machine's apt already uses. Linux, root,
 * `apt-get` and `dpkg-deb` (found on `env.PATH`) only. Returns the cached binary's path.
 */
export async function installDebianPackage(
  cacheDir: string,
  log: HarnessLogger,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  if (process.platform !== 'linux') throw new Error('only on Linux');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('needs root (apt-get download with a private source list)');
  }
  const aptGet = findOnPath('apt-get', env.PATH);
  const dpkgDeb = findOnPath('dpkg-deb', env.PATH);
  if (!aptGet || !dpkgDeb) throw new Error('apt-get and dpkg-deb are required on PATH');
  const mirror = await debianMirror();
  const work = path.join(cacheDir, 'debian');
  const listsDir = path.join(work, 'lists');
  const debDir = path.join(work, 'deb');
  await fs.mkdir(path.join(listsDir, 'partial'), { recursive: true });
  await fs.mkdir(debDir, { recursive: true });
  const sourceList = path.join(work, 'bullseye.list');
  await fs.writeFile(
    sourceList,
    `deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] ${mirror} bullseye main\n`,
  );
  const aptOptions = [
    '-o',
    `Dir::Etc::sourcelist=${sourceList}`,
    '-o',
    'Dir::Etc::sourceparts=-',
    '-o',
    `Dir::State::Lists=${listsDir}`,
  ];
  log(`installing consul from Debian bullseye (${mirror}) into ${cacheDir}`);
  await execFileAsync(aptGet, [...aptOptions, 'update'], { timeout: 180_000 });
  await execFileAsync(aptGet, [...aptOptions, 'download', 'consul'], {
    cwd: debDir,
    timeout: 300_000,
  });
  const deb = (await fs.readdir(debDir)).find((f) => /^consul_.*\.deb$/.test(f));
  if (!deb) throw new Error('apt-get download produced no consul .deb');
  const root = path.join(work, 'root');
  await fs.rm(root, { recursive: true, force: true });
  await execFileAsync(dpkgDeb, ['-x', path.join(debDir, deb), root], { timeout: 120_000 });
  const binary = await fs.readFile(path.join(root, 'usr', 'bin', 'consul'));
  return installIntoCache(cacheDir, binary);
}

/** The Debian mirror this machine's apt already uses; never a host name written in the repo. */
async function debianMirror(): Promise<string> {
  const deb822 = '/etc/apt/sources.list.d/debian.sources';
  if (existsSync(deb822)) {
    const text = await fs.readFile(deb822, 'utf8');
    const uri = /^URIs:\s*(\S+)/m.exec(text)?.[1];
    if (uri) return uri;
  }
  const legacy = '/etc/apt/sources.list';
  if (existsSync(legacy)) {
    const text = await fs.readFile(legacy, 'utf8');
    const uri = /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+\S+/m.exec(text)?.[1];
    if (uri) return uri;
  }
  throw new Error('no Debian mirror found in the apt configuration');
}
