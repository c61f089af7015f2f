/** Small statistics and formatting helpers of the benchmarks. */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Rounds to `digits` significant decimals, keeping small numbers readable. */
export function round(value: number, digits = 3): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  const places = abs >= 100 ? 1 : abs >= 1 ? digits - 1 : digits + Math.max(0, -Math.floor(Math.log10(abs || 1)) - 1);
  return Number(value.toFixed(Math.min(places, 6)));
}

/** Renders rows as an aligned text table. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
