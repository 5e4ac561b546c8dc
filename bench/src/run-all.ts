/** Runs every benchmark in its own process, one after the other (`npm run bench`). */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const BENCHES = ['kv-get', 'discovery', 'watch', 'large-watch', 'import'];
let failed = 0;
for (const name of BENCHES) {
  const file = path.join(__dirname, `${name}.js`);
  if (!existsSync(file)) {
    console.log(`\n(${name}: not built yet)`);
    continue;
  }
  // --expose-gc: large-watch reads the live heap after a full gc.
  const result = spawnSync(process.execPath, ['--expose-gc', file, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  if (result.status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
