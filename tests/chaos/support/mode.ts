/**
 * Bounded or full runs. `npm test` runs every project, so by default each scenario uses small
 * counts; `npm run test:chaos` sets `CHAOS_FULL=1` for the full ones.
 */
export const FULL = /^(1|true|yes)$/i.test(process.env.CHAOS_FULL ?? '');

/** `bounded` in a default run, `full` under `CHAOS_FULL=1`. */
export function scale<T>(bounded: T, full: T): T {
  return FULL ? full : bounded;
}

/** `full` or `bounded`, for the printed figures. */
export const MODE = FULL ? 'full' : 'bounded';
