/**
 * The benchmark contract: every benchmark module exports `benchmarks`, a list of named
 * measurements. Each run yields one or more results; `run.ts` prints each as one JSON line
 * (`{"name","value","unit","baseline","ratio"}`), the format SPEC §6 fixes.
 */

/** One measured figure. `baseline` is a comparable figure measured in the same run. */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline?: number;
  /** value / baseline, filled in by the harness where a baseline is given. */
  ratio?: number;
}

/** A named benchmark; `run` measures and returns its figures (usually one). */
export interface Benchmark {
  name: string;
  run: () => Promise<BenchResult[]>;
}

/** Milliseconds since an arbitrary origin, at sub-millisecond resolution. */
export function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The p-th percentile (0–100) of a list of samples, by nearest rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) throw new Error("percentile of no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}
