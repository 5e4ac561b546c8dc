import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, promises as fs, accessSync, constants as fsConstants } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ConsulBinaryNotFoundError, type BinarySourceAttempt } from './errors';
import { stderrLogger, type HarnessLogger } from './log';
import { OFFICIAL_RELEASE, officialArtifact } from './release';
import { extractSingleFileFromZip } from './zip';

const execFileAsync = promisify(execFile);

/** Where a Consul binary came from. */
export type BinarySource = 'CONSUL_BIN' | 'PATH' | 'cache' | 'official-release' | 'debian-package';

/** A usable Consul binary. */
export interface ConsulBinary {
  /** Absolute path of the executable. */
  path: string;
  /** Version as printed by `consul version`, e.g. `1.8.7`. */
  version: string;
  source: BinarySource;
}

export interface EnsureConsulBinaryOptions {
  /** Folder for downloaded binaries. Default: `CONSULKIT_CACHE_DIR`, else `node_modules/.cache/consulkit`. */
  cacheDir?: string;
  /** Where progress is reported. Default: stderr. */
  logger?: HarnessLogger;
  /** Environment to read `CONSUL_BIN` and `PATH` from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Skip the official release download (it cannot succeed without internet access). */
  skipDownload?: boolean;
}

let memo: Promise<ConsulBinary> | undefined;

/**
 * Finds or installs a Consul binary, trying in order: `CONSUL_BIN`, `consul` on `PATH`, the cache,
 * the official release (SHA-256 verified), Debian bullseye's `consul` package through apt.
 * Throws {@link ConsulBinaryNotFoundError} listing every source and why it failed.
 */
export function ensureConsulBinary(options: EnsureConsulBinaryOptions = {}): Promise<ConsulBinary> {
  const useMemo = Object.keys(options).length === 0;
  if (useMemo && memo) return memo;
  const result = locate(options);
  if (useMemo) {
    memo = result;
    result.catch(() => {
      memo = undefined;
    });
  }
  return result;
}

async function locate(options: EnsureConsulBinaryOptions): Promise<ConsulBinary> {
  const env = options.env ?? process.env;
  const log = options.logger ?? stderrLogger;
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const attempts: BinarySourceAttempt[] = [];

  const tryCandidate = async (source: BinarySource, file: string | undefined, why: string) => {
    if (!file) {
      attempts.push({ source, reason: why });
      return undefined;
    }
    try {
      const version = await consulVersion(file);
      log(`using consul ${version} from ${source}: ${file}`);
      return { path: file, version, source } satisfies ConsulBinary;
    } catch (err) {
      attempts.push({
        source,
        reason: `${file} is not a working consul binary (${errorText(err)})`,
      });
      return undefined;
    }
  };

  const fromEnv = env.CONSUL_BIN;
  const found =
    (await tryCandidate('CONSUL_BIN', fromEnv ? path.resolve(fromEnv) : undefined, 'not set')) ??
    (await tryCandidate('PATH', findOnPath('consul', env.PATH), 'no consul on PATH')) ??
    (await tryCandidate('cache', cachedBinary(cacheDir), `nothing cached in ${cacheDir}`));
  if (found) return found;

  const installers: Array<[BinarySource, () => Promise<string>]> = [
    [
      'official-release',
      () => installOfficialRelease(cacheDir, log, options.skipDownload === true),
    ],
    ['debian-package', () => installDebianPackage(cacheDir, log)],
  ];
  for (const [source, install] of installers) {
    try {
      const file = await install();
      const binary = await tryCandidate(source, file, '');
      if (binary) return binary;
    } catch (err) {
      attempts.push({ source, reason: errorText(err) });
    }
  }
  throw new ConsulBinaryNotFoundError(attempts);
}

/** Runs `consul version` and returns e.g. `1.8.7`. */
export async function consulVersion(file: string): Promise<string> {
  const { stdout } = await execFileAsync(file, ['version'], { timeout: 15_000 });
  const match = /Consul v(\d+\.\d+\.\d+[^\s]*)/.exec(stdout);
  if (!match?.[1]) throw new Error(`unexpected "consul version" output: ${stdout.slice(0, 200)}`);
  return match[1];
}

/** The cache folder used when none is given. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CONSULKIT_CACHE_DIR) return path.resolve(env.CONSULKIT_CACHE_DIR);
  let dir = __dirname;
  for (;;) {
    const candidate = path.join(dir, 'node_modules');
    if (existsSync(candidate)) return path.join(candidate, '.cache', 'consulkit');
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return path.join(homedir(), '.cache', 'consulkit');
}

function cachedBinary(cacheDir: string): string | undefined {
  const file = path.join(cacheDir, 'bin', 'consul');
  return isExecutable(file) ? file : undefined;
}

function findOnPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function installOfficialRelease(
  cacheDir: string,
  log: HarnessLogger,
  skip: boolean,
): Promise<string> {
  if (skip) throw new Error('skipped (skipDownload)');
  const artifact = officialArtifact(process.platform, process.arch);
  if (!artifact)
    throw new Error(`no official build pinned for ${process.platform}/${process.arch}`);
  log(`downloading consul ${OFFICIAL_RELEASE.version} from ${artifact.url}`);
  const response = await fetch(artifact.url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`download answered HTTP ${response.status}`);
  const zip = Buffer.from(await response.arrayBuffer());
  const digest = createHash('sha256').update(zip).digest('hex');
  if (digest !== artifact.sha256) {
    throw new Error(`SHA-256 mismatch: expected ${artifact.sha256}, got ${digest}`);
  }
  const binary = extractSingleFileFromZip(zip, 'consul');
  return installIntoCache(cacheDir, binary);
}

async function installIntoCache(cacheDir: string, binary: Buffer): Promise<string> {
  const binDir = path.join(cacheDir, 'bin');
  await fs.mkdir(binDir, { recursive: true });
  const target = path.join(binDir, 'consul');
  const temp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(temp, binary, { mode: 0o755 });
  await fs.rename(temp, target);
  return target;
}

async function installDebianPackage(cacheDir: string, log: HarnessLogger): Promise<string> {
  if (process.platform !== 'linux') throw new Error('only on Linux');
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error('needs root (apt-get download with a private source list)');
  }
  const aptGet = findOnPath('apt-get', process.env.PATH);
  const dpkgDeb = findOnPath('dpkg-deb', process.env.PATH);
  if (!aptGet || !dpkgDeb) throw new Error('apt-get and dpkg-deb are required');
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

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}`.split('\n')[0] ?? '';
  }
  return String(err);
}
