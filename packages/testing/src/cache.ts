import { existsSync, promises as fs } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { isExecutable } from './which';

/**
 * The cache folder used when none is given: `CONSULKIT_CACHE_DIR`, else `node_modules/.cache/consulkit`
 * of the nearest `node_modules` above this package, else `~/.cache/consulkit`.
 */
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

/** `<cacheDir>/bin/consul` when it is executable. */
export function cachedBinary(cacheDir: string): string | undefined {
  const file = path.join(cacheDir, 'bin', 'consul');
  return isExecutable(file) ? file : undefined;
}

/** Writes `binary` to `<cacheDir>/bin/consul` atomically (temp file, then rename) and returns the path. */
export async function installIntoCache(cacheDir: string, binary: Buffer): Promise<string> {
  const binDir = path.join(cacheDir, 'bin');
  await fs.mkdir(binDir, { recursive: true });
  const target = path.join(binDir, 'consul');
  const temp = `${target}.${process.pid}.tmp`;
  await fs.writeFile(temp, binary, { mode: 0o755 });
  await fs.rename(temp, target);
  return target;
}
