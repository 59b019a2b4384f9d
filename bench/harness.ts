// What a benchmark suite looks like: it returns named figures (numbers, with their unit in the name).
export interface BenchOptions {
  /** Smaller sizes for a quick check (`npm run bench -- --quick`). */
  quick: boolean;
  log: (line: string) => void;
}

export interface BenchSuite {
  name: string;
  run(options: BenchOptions): Promise<Record<string, number>>;
}

/** Percentile (0–100) of a list of samples, nearest-rank. */
export function percentile(samples: number[], p: number): number {
  if (samples.length === 0) return NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
