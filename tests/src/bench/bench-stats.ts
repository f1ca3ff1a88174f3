// Small statistics and formatting helpers shared by the benchmarks.

export interface Stats {
  p50: number;
  p95: number;
  mean: number;
}

export interface Comparison {
  ratioP50: number;
  ratioP95: number;
  overheadP50Ms: number;
  overheadP95Ms: number;
}

/** A whole number of at least 1 from the environment (a benchmark's size), or `fallback`. */
export function intEnv(name: string, fallback: number): number {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`${name} must be a whole number, got "${process.env[name]}"`);
  return value;
}

/** Like Promise.all, but lets every task finish before failing, so cleanup never races half-created objects. */
export async function settleAll<T>(tasks: Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** Percentile with linear interpolation between closest ranks (numpy's default). */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = sorted[Math.floor(rank)] ?? Number.NaN;
  const hi = sorted[Math.ceil(rank)] ?? Number.NaN;
  return lo + (hi - lo) * (rank - Math.floor(rank));
}

/** p50 / p95 / mean, rounded to whole milliseconds. */
export function stats(values: number[]): Stats {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  return { p50: Math.round(percentile(values, 50)), p95: Math.round(percentile(values, 95)), mean: Math.round(mean) };
}

/** Candidate versus baseline: ratios (2 decimals) and absolute overhead in ms. */
export function compare(candidate: Stats, baseline: Stats): Comparison {
  return {
    ratioP50: Math.round((candidate.p50 / baseline.p50) * 100) / 100,
    ratioP95: Math.round((candidate.p95 / baseline.p95) * 100) / 100,
    overheadP50Ms: candidate.p50 - baseline.p50,
    overheadP95Ms: candidate.p95 - baseline.p95,
  };
}

/** "x1.09 (+713 ms)" */
export function formatRatio(ratio: number, overheadMs: number): string {
  return `x${ratio.toFixed(2)} (${overheadMs >= 0 ? "+" : ""}${overheadMs} ms)`;
}

/** A millisecond figure right-aligned in a column of the given width. */
export function cell(value: number | undefined, width = 9): string {
  return (value === undefined || Number.isNaN(value) ? "-" : `${Math.round(value)}`).padStart(width);
}
