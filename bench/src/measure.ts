/**
 * Shared measuring kit for the benchmarks: interleaved A/B rounds (the machine is shared and noisy,
 * so every contender is measured in every round), closed-loop load at a fixed concurrency, latency
 * percentiles, client CPU per request, and ratios against the baseline of the same round.
 */

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

/** Runs `op` from `concurrency` loops for `durationMs` (bounded also by `maxOps`). */
export async function closedLoop(
  contender: Contender,
  concurrency: number,
  durationMs: number,
  maxOps = 1_000_000,
): Promise<RoundResult> {
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
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpuBefore);
  latencies.sort((a, b) => a - b);
  return {
    name: contender.name,
    ops: latencies.length,
    errors,
    opsPerSec: (latencies.length / elapsed) * 1000,
    p50Ms: percentile(latencies, 0.5),
    p99Ms: percentile(latencies, 0.99),
    cpuUsPerOp: latencies.length ? (cpu.user + cpu.system) / latencies.length : 0,
  };
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
  }>;
}

/**
 * Interleaves rounds of every contender (order rotated each round) and compares each to the first
 * contender (the baseline) round by round.
 */
export async function compare(
  contenders: readonly Contender[],
  options: { concurrency: number; rounds: number; roundMs: number; warmupMs?: number },
): Promise<Comparison> {
  for (const c of contenders) await closedLoop(c, options.concurrency, options.warmupMs ?? 300);
  const perRound: RoundResult[][] = [];
  for (let r = 0; r < options.rounds; r++) {
    const order = contenders.map((_, i) => (i + r) % contenders.length);
    const results: RoundResult[] = new Array(contenders.length);
    for (const i of order) {
      results[i] = await closedLoop(
        contenders[i] as Contender,
        options.concurrency,
        options.roundMs,
      );
    }
    perRound.push(results);
  }
  return {
    concurrency: options.concurrency,
    contenders: contenders.map((c, i) => {
      const rounds = perRound.map((round) => round[i] as RoundResult);
      const ratios = perRound.map(
        (round) => (round[i] as RoundResult).opsPerSec / (round[0] as RoundResult).opsPerSec,
      );
      const ops = rounds.map((x) => x.opsPerSec);
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
      };
    }),
  };
}

/** Prints a comparison as an aligned table. */
export function printComparison(title: string, comparison: Comparison): void {
  console.log(`\n${title} — concurrency ${comparison.concurrency}`);
  console.log(
    'contender'.padEnd(28) +
      'req/s (median, min–max)'.padEnd(30) +
      'p50 ms'.padEnd(9) +
      'p99 ms'.padEnd(9) +
      'CPU µs/req'.padEnd(12) +
      'ratio (median; per round)',
  );
  for (const c of comparison.contenders) {
    console.log(
      c.name.padEnd(28) +
        `${c.medianOpsPerSec.toFixed(0)} (${c.minOpsPerSec.toFixed(0)}–${c.maxOpsPerSec.toFixed(0)})`.padEnd(
          30,
        ) +
        c.medianP50Ms.toFixed(2).padEnd(9) +
        c.medianP99Ms.toFixed(2).padEnd(9) +
        c.medianCpuUsPerOp.toFixed(0).padEnd(12) +
        `${c.medianRatio.toFixed(3)}×; ${c.ratios.map((r) => r.toFixed(2)).join(' ')}` +
        (c.errors ? `  errors: ${c.errors}` : ''),
    );
  }
}

/** Reads `--name=value` flags. */
export function flag(name: string, fallback: number): number {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg ? Number(arg.slice(name.length + 3)) : fallback;
}
