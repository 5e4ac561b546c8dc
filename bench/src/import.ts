/**
 * Startup cost: time to `require('@consulkit/core')` in a fresh process vs `require('undici')` alone
 * (the baseline), measured inside the child with hrtime, in interleaved rounds.
 */
import { execFileSync } from 'node:child_process';
import { flag, median } from './measure';

function timeRequire(moduleId: string): number {
  const script = `const t=process.hrtime.bigint();require(${JSON.stringify(moduleId)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  return Number(
    execFileSync(process.execPath, ['-e', script], { cwd: __dirname, encoding: 'utf8' }),
  );
}

function main(): void {
  const rounds = flag('rounds', 15);
  const undici: number[] = [];
  const core: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const pair = r % 2 === 0 ? ['undici', '@consulkit/core'] : ['@consulkit/core', 'undici'];
    const times = Object.fromEntries(pair.map((id) => [id, timeRequire(id)]));
    undici.push(times.undici as number);
    core.push(times['@consulkit/core'] as number);
    ratios.push((times['@consulkit/core'] as number) / (times.undici as number));
  }
  console.log(`\nimport — ${rounds} fresh processes each, interleaved`);
  console.log(
    `require('undici')          median ${median(undici).toFixed(1)} ms (${Math.min(...undici).toFixed(1)}–${Math.max(...undici).toFixed(1)})`,
  );
  console.log(
    `require('@consulkit/core') median ${median(core).toFixed(1)} ms (${Math.min(...core).toFixed(1)}–${Math.max(...core).toFixed(1)})`,
  );
  console.log(`ratio core ÷ undici: ${median(ratios).toFixed(3)}× (target ≤ 1.2×)`);
  console.log(
    JSON.stringify({
      bench: 'import',
      node: process.version,
      medianMs: { undici: median(undici), core: median(core) },
      ratio: Number(median(ratios).toFixed(3)),
    }),
  );
}

main();
