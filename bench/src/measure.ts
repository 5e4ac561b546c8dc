/**
 * Shared measuring kit for the benchmarks: interleaved A/B rounds (the machine is shared and noisy,
 * so every contender is measured in every round), closed-loop load at a fixed concurrency, latency
 * percentiles, client CPU per request, and ratios against the baseline of the same round.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** One contender: a function doing one operation. */
export interface Contender {
  name: string;
  op: () => Promise<unknown>;
}

/** What one contender did in one round. */
export interface RoundResult {
  name: string;
  ops: number;
  errors: number;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  cpuUsPerOp: number;
}

/** Raw outcome of one closed-loop run: what a {@link RoundResult} is computed from. */
interface LoopSample {
  latencies: number[];
  errors: number;
  elapsedMs: number;
  cpuUs: number;
}

/** Runs `op` from `concurrency` loops for `durationMs` (bounded also by `maxOps`). */
async function runLoop(
  contender: Contender,
  concurrency: number,
  durationMs: number,
  maxOps: number,
): Promise<LoopSample> {
  const latencies: number[] = [];
  let errors = 0;
  let started = 0;
  const cpuBefore = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && started < maxOps) {
      started++;
      const s = performance.now();
      try {
        await contender.op();
        latencies.push(performance.now() - s);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsedMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  return { latencies, errors, elapsedMs, cpuUs: cpu.user + cpu.system };
}

/** Folds the samples of one contender (one or several slices) into a round result. */
function toRoundResult(name: string, samples: readonly LoopSample[]): RoundResult {
  const latencies = samples.flatMap((x) => x.latencies).sort((a, b) => a - b);
  const elapsed = samples.reduce((sum, x) => sum + x.elapsedMs, 0);
  const cpuUs = samples.reduce((sum, x) => sum + x.cpuUs, 0);
  return {
    name,
    ops: latencies.length,
    errors: samples.reduce((sum, x) => sum + x.errors, 0),
    opsPerSec: (latencies.length / elapsed) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuUsPerOp: latencies.length ? cpuUs / latencies.length : 0,
  };
}

/** Runs `op` from `concurrency` loops for `durationMs` (bounded also by `maxOps`). */
export async function closedLoop(
  contender: Contender,
  concurrency: number,
  durationMs: number,
  maxOps = 1_000_000,
): Promise<RoundResult> {
  return toRoundResult(contender.name, [await runLoop(contender, concurrency, durationMs, maxOps)]);
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return percentile(sorted, 0.5);
}

/** Result of {@link compare}: per contender, the rounds and the per-round ratio to the baseline. */
export interface Comparison {
  concurrency: number;
  contenders: Array<{
    name: string;
    medianOpsPerSec: number;
    minOpsPerSec: number;
    maxOpsPerSec: number;
    medianP50Ms: number;
    medianP99Ms: number;
    medianCpuUsPerOp: number;
    errors: number;
    /** Per-round ops/s ÷ the baseline's ops/s in that round. */
    ratios: number[];
    medianRatio: number;
    /**
     * Per-round baseline CPU µs/op ÷ this contender's CPU µs/op: the throughput ratio a CPU-bound
     * client would see. Steadier than `ratios` on a shared machine, where the server side (and the
     * neighbours) dominate the wall clock.
     */
    cpuRatios: number[];
    medianCpuRatio: number;
    /** Raw per-round results, in round order. */
    rounds: RoundResult[];
  }>;
}

/**
 * Interleaves rounds of every contender and compares each to the first contender (the baseline)
 * round by round. A round is cut into `slices` (default 4) short runs per contender, alternating
 * contenders slice by slice in an order rotated every round, so that a neighbour's burst or a GC
 * left behind by one contender lands on all of them alike instead of on one contender's round.
 */
export async function compare(
  contenders: readonly Contender[],
  options: {
    concurrency: number;
    rounds: number;
    roundMs: number;
    warmupMs?: number;
    slices?: number;
  },
): Promise<Comparison> {
  for (const c of contenders) await closedLoop(c, options.concurrency, options.warmupMs ?? 300);
  const slices = Math.max(1, Math.floor(options.slices ?? 4));
  const sliceMs = options.roundMs / slices;
  const perRound: RoundResult[][] = [];
  for (let r = 0; r < options.rounds; r++) {
    const samples: LoopSample[][] = contenders.map(() => []);
    for (let s = 0; s < slices; s++) {
      const shift = r * slices + s;
      for (let k = 0; k < contenders.length; k++) {
        const i = (k + shift) % contenders.length;
        samples[i]?.push(
          await runLoop(contenders[i] as Contender, options.concurrency, sliceMs, 1_000_000),
        );
      }
    }
    perRound.push(contenders.map((c, i) => toRoundResult(c.name, samples[i] ?? [])));
  }
  return {
    concurrency: options.concurrency,
    contenders: contenders.map((c, i) => {
      const rounds = perRound.map((round) => round[i] as RoundResult);
      const ratios = perRound.map(
        (round) => (round[i] as RoundResult).opsPerSec / (round[0] as RoundResult).opsPerSec,
      );
      const ops = rounds.map((x) => x.opsPerSec);
      const cpuRatios = perRound.map(
        (round) => (round[0] as RoundResult).cpuUsPerOp / (round[i] as RoundResult).cpuUsPerOp,
      );
      return {
        name: c.name,
        medianOpsPerSec: median(ops),
        minOpsPerSec: Math.min(...ops),
        maxOpsPerSec: Math.max(...ops),
        medianP50Ms: median(rounds.map((x) => x.p50Ms)),
        medianP99Ms: median(rounds.map((x) => x.p99Ms)),
        medianCpuUsPerOp: median(rounds.map((x) => x.cpuUsPerOp)),
        errors: rounds.reduce((sum, x) => sum + x.errors, 0),
        ratios,
        medianRatio: median(ratios),
        cpuRatios,
        medianCpuRatio: median(cpuRatios),
        rounds,
      };
    }),
  };
}

/** Prints a comparison as an aligned table. */
export function printComparison(title: string, comparison: Comparison): void {
  console.log(`\n${title} — concurrency ${comparison.concurrency}`);
  const width = Math.max(...comparison.contenders.map((c) => c.name.length)) + 2;
  const ratioText = comparison.contenders.map(
    (c) => `${c.medianRatio.toFixed(3)}×; ${c.ratios.map((r) => r.toFixed(2)).join(' ')}`,
  );
  const ratioWidth = Math.max(28, ...ratioText.map((t) => t.length)) + 2;
  console.log(
    'contender'.padEnd(width) +
      'req/s (median, min–max)'.padEnd(30) +
      'p50 ms'.padEnd(9) +
      'p99 ms'.padEnd(9) +
      'CPU µs/req'.padEnd(12) +
      'ratio (median; per round)'.padEnd(ratioWidth) +
      'CPU ratio (median; per round)',
  );
  comparison.contenders.forEach((c, i) => {
    console.log(
      c.name.padEnd(width) +
        `${c.medianOpsPerSec.toFixed(0)} (${c.minOpsPerSec.toFixed(0)}–${c.maxOpsPerSec.toFixed(0)})`.padEnd(
          30,
        ) +
        c.medianP50Ms.toFixed(2).padEnd(9) +
        c.medianP99Ms.toFixed(2).padEnd(9) +
        c.medianCpuUsPerOp.toFixed(0).padEnd(12) +
        (ratioText[i] as string).padEnd(ratioWidth) +
        `${c.medianCpuRatio.toFixed(3)}×; ${c.cpuRatios.map((r) => r.toFixed(2)).join(' ')}` +
        (c.errors ? `  errors: ${c.errors}` : ''),
    );
  });
}

/**
 * Per-round throughput and CPU ratios of contender `name` against contender `baseline` (any other
 * contender of the same comparison, e.g. a second baseline).
 */
export function ratiosAgainst(
  comparison: Comparison,
  name: string,
  baseline: string,
): { ratios: number[]; medianRatio: number; cpuRatios: number[]; medianCpuRatio: number } {
  const of = (n: string) => {
    const found = comparison.contenders.find((c) => c.name === n);
    if (!found) throw new Error(`no contender named ${n}`);
    return found.rounds;
  };
  const mine = of(name);
  const base = of(baseline);
  const ratios = mine.map((r, i) => r.opsPerSec / (base[i] as RoundResult).opsPerSec);
  const cpuRatios = mine.map((r, i) => (base[i] as RoundResult).cpuUsPerOp / r.cpuUsPerOp);
  return { ratios, medianRatio: median(ratios), cpuRatios, medianCpuRatio: median(cpuRatios) };
}

/** The machine-readable summary of a comparison (for the final JSON line). */
export function summarize(comparison: Comparison): Record<string, unknown> {
  const round3 = (x: number) => Number(x.toFixed(3));
  return {
    concurrency: comparison.concurrency,
    contenders: Object.fromEntries(
      comparison.contenders.map((c) => [
        c.name,
        {
          reqPerSec: Math.round(c.medianOpsPerSec),
          p50Ms: round3(c.medianP50Ms),
          p99Ms: round3(c.medianP99Ms),
          cpuUsPerReq: Math.round(c.medianCpuUsPerOp),
          ratio: round3(c.medianRatio),
          cpuRatio: round3(c.medianCpuRatio),
          errors: c.errors,
        },
      ]),
    ),
  };
}

/** A number with `digits` decimals, or `n/a` when not finite. */
export function fmt(x: number, digits = 2): string {
  return Number.isFinite(x) ? x.toFixed(digits) : 'n/a';
}

/**
 * Ends the process if a benchmark overruns `ms` (the agent harness stops its agents on exit): a
 * benchmark must never hang the run.
 */
export function watchdog(ms: number, name: string): void {
  setTimeout(() => {
    console.error(`${name}: gave up after ${Math.round(ms / 1000)} s`);
    process.exit(2);
  }, ms).unref();
}

/**
 * Makes sure `global.gc` exists (live-heap measures need it): when it does not, re-runs this
 * script in a child with `--expose-gc` and exits with its status. Returns only in a process that
 * has `gc`.
 */
export function ensureExposeGc(): () => void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) return gc;
  const result = spawnSync(
    process.execPath,
    ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)],
    { stdio: 'inherit' },
  );
  process.exit(result.status ?? 1);
}

/**
 * CPU time of this process's main thread, in µs (Linux `schedstat`, ns precision), or NaN where
 * unavailable. Unlike `process.cpuUsage()` it leaves out V8's helper threads (concurrent GC, JIT)
 * and so most of the background noise of a long, mostly idle measuring window.
 */
export function mainThreadCpuUs(): number {
  try {
    const text = readFileSync(`/proc/${process.pid}/task/${process.pid}/schedstat`, 'utf8');
    return Number(text.split(' ')[0]) / 1000;
  } catch {
    return Number.NaN;
  }
}

/** Reads a `--name=value` string flag. */
export function stringFlag(name: string): string | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg?.slice(name.length + 3);
}

/** Reads `--name=value` flags. */
export function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}
