import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { cachedBinary, defaultCacheDir, installIntoCache } from './cache';
import { installDebianPackage } from './debian';
import { download } from './download';
import { ConsulBinaryNotFoundError, ConsulHarnessOptionError } from './errors';
import { stderrLogger, type HarnessLogger } from './log';
import { DEFAULT_RELEASE_BASE_URL, OFFICIAL_RELEASE, officialArtifact } from './release';
import { findOnPath } from './which';
import { extractSingleFileFromZip } from './zip';

export { defaultCacheDir } from './cache';

const execFileAsync = promisify(execFile);

/** Where a Consul binary can come from, in the order they are tried. */
export type BinarySource = 'CONSUL_BIN' | 'PATH' | 'cache' | 'official-release' | 'debian-package';

const ALL_SOURCES: readonly BinarySource[] = [
  'CONSUL_BIN',
  'PATH',
  'cache',
  'official-release',
  'debian-package',
];

/** A usable Consul binary. */
export interface ConsulBinary {
  /** Absolute path of the executable. */
  path: string;
  /** Version as printed by `consul version`, e.g. `1.8.7`. */
  version: string;
  /** Where it was found. */
  source: BinarySource;
}

/** Options of {@link ensureConsulBinary}. Every field is optional. */
export interface EnsureConsulBinaryOptions {
  /** Folder for downloaded binaries. Default: `CONSULKIT_CACHE_DIR`, else `node_modules/.cache/consulkit`. */
  cacheDir?: string;
  /** Where progress is reported. Default: stderr. */
  logger?: HarnessLogger;
  /** Environment to read `CONSUL_BIN`, `PATH` and `CONSULKIT_*` from. Default: `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Skip the official release download. */
  skipDownload?: boolean;
  /**
   * The sources that may be used; the order stays the fixed one. Default: all. The others are
   * reported as disabled in a {@link ConsulBinaryNotFoundError}.
   */
  sources?: readonly BinarySource[];
  /**
   * Origin of official releases (a mirror of releases.hashicorp.com with the same paths). Default:
   * `CONSULKIT_RELEASE_BASE_URL`, else `https://releases.hashicorp.com`.
   */
  releaseBaseUrl?: string;
}

/** What finding a binary needs, resolved from the options. */
interface Context {
  env: NodeJS.ProcessEnv;
  log: HarnessLogger;
  cacheDir: string;
  skipDownload: boolean;
  releaseBaseUrl: string;
}

/** Each source returns a path to try, or throws why it has none. */
const FINDERS: Record<BinarySource, (ctx: Context) => Promise<string>> = {
  CONSUL_BIN: async ({ env }) => {
    if (!env.CONSUL_BIN) throw new Error('not set');
    return path.resolve(env.CONSUL_BIN);
  },
  PATH: async ({ env }) => {
    const file = findOnPath('consul', env.PATH);
    if (!file) throw new Error('no consul on PATH');
    return file;
  },
  cache: async ({ cacheDir }) => {
    const file = cachedBinary(cacheDir);
    if (!file) throw new Error(`nothing cached in ${cacheDir}`);
    return file;
  },
  'official-release': installOfficialRelease,
  'debian-package': ({ cacheDir, log, env }) => installDebianPackage(cacheDir, log, env),
};

let memo: Promise<ConsulBinary> | undefined;

/**
 * Finds or installs a Consul binary, trying in order: `CONSUL_BIN`, `consul` on `PATH`, the cache,
 * the official release (SHA-256 verified, fails within seconds without internet), Debian bullseye's
 * `consul` package through apt. Logs the binary and version it uses. Throws
 * {@link ConsulBinaryNotFoundError} listing every source and why it failed. Called without options,
 * the result is shared by the whole process.
 */
export function ensureConsulBinary(options: EnsureConsulBinaryOptions = {}): Promise<ConsulBinary> {
  // The logger only changes where progress is reported, not which binary is found.
  const useMemo = Object.keys(options).every((k) => k === 'logger');
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
  const enabled = enabledSources(options.sources);
  const env = options.env ?? process.env;
  const ctx: Context = {
    env,
    log: options.logger ?? stderrLogger,
    cacheDir: options.cacheDir ?? defaultCacheDir(env),
    skipDownload: options.skipDownload === true,
    releaseBaseUrl:
      options.releaseBaseUrl ?? env.CONSULKIT_RELEASE_BASE_URL ?? DEFAULT_RELEASE_BASE_URL,
  };
  const attempts: Array<{ source: BinarySource; reason: string }> = [];
  for (const source of ALL_SOURCES) {
    if (!enabled.has(source)) {
      attempts.push({ source, reason: 'disabled (not in the sources option)' });
      continue;
    }
    try {
      const file = await FINDERS[source](ctx);
      const version = await consulVersion(file).catch((err: unknown) => {
        throw new Error(`${file} is not a working consul binary (${errorText(err)})`);
      });
      ctx.log(`using consul ${version} from ${source}: ${file}`);
      return { path: file, version, source };
    } catch (err) {
      attempts.push({ source, reason: errorText(err) });
    }
  }
  throw new ConsulBinaryNotFoundError(attempts);
}

function enabledSources(sources: unknown): Set<BinarySource> {
  if (sources === undefined) return new Set(ALL_SOURCES);
  if (!Array.isArray(sources) || !sources.every((s) => ALL_SOURCES.includes(s as BinarySource))) {
    throw new ConsulHarnessOptionError('sources', `a list of ${ALL_SOURCES.join(', ')}`, sources);
  }
  return new Set(sources as BinarySource[]);
}

/** Runs `consul version` and returns e.g. `1.8.7`. */
export async function consulVersion(file: string): Promise<string> {
  const { stdout } = await execFileAsync(file, ['version'], { timeout: 15_000 });
  const match = /Consul v(\d+\.\d+\.\d+[^\s]*)/.exec(stdout);
  if (!match?.[1]) throw new Error(`unexpected "consul version" output: ${stdout.slice(0, 200)}`);
  return match[1];
}

async function installOfficialRelease(ctx: Context): Promise<string> {
  if (ctx.skipDownload) throw new Error('skipped (skipDownload)');
  const artifact = officialArtifact(process.platform, process.arch, ctx.releaseBaseUrl);
  if (!artifact) {
    throw new Error(`no official build pinned for ${process.platform}/${process.arch}`);
  }
  ctx.log(`downloading consul ${OFFICIAL_RELEASE.version} from ${artifact.url}`);
  const zip = await download(artifact.url, { connectTimeoutMs: 5_000, idleTimeoutMs: 30_000 });
  const digest = createHash('sha256').update(zip).digest('hex');
  if (digest !== artifact.sha256) {
    throw new Error(
      `SHA-256 mismatch for ${artifact.url}: expected ${artifact.sha256}, got ${digest}`,
    );
  }
  return installIntoCache(ctx.cacheDir, extractSingleFileFromZip(zip, 'consul'));
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : '';
    return `${err.message}${cause}`.split('\n')[0] ?? '';
  }
  return String(err);
}
