import { MODE, scale } from '../mode';

/**
 * The seed of every fast-check property in a fuzz file: `CHAOS_SEED` when set (to replay a
 * failure), else a fresh random one. The test file prints it, so any run can be reproduced with
 * `CHAOS_SEED=<seed>`; fast-check's own failure report adds the shrunk counterexample's path.
 */
export const SEED = readSeed(process.env.CHAOS_SEED);

function readSeed(text: string | undefined): number {
  if (text === undefined || text === '') return (Math.random() * 2 ** 31) | 0;
  const seed = Number(text);
  // A typo must not silently become a random run that cannot reproduce anything.
  if (!Number.isSafeInteger(seed)) throw new Error(`CHAOS_SEED must be an integer, got "${text}"`);
  return seed;
}

/** fast-check parameters of one property: the file's seed, and its bounded or full run count. */
export function runs(bounded: number, full: number): { seed: number; numRuns: number } {
  return { seed: SEED, numRuns: scale(bounded, full) };
}

/** The line that lets a run be replayed. */
export function seedLine(file: string): string {
  return `[chaos] ${file} (${MODE}): seed=${SEED} (replay with CHAOS_SEED=${SEED})`;
}
