/**
 * A one-line progress bar for a terminal: what is done, the rate and the ETA. The send
 * progress of `digest run` and the import progress of `digest subscribers import` share it.
 */
import type { WriteStream } from 'node:tty';

export interface Progress {
  sent: number;
  failed: number;
  skipped: number;
  total: number;
}

/** Formats one progress line from a state and the seconds since the start. */
export type ProgressFormat<P> = (progress: P, elapsedSeconds: number) => string;

/**
 * @example
 * ```ts
 * const bar = new ProgressBar(process.stderr);
 * bar.update({ sent: 10, failed: 0, skipped: 1, total: 100 });
 * bar.finish();
 *
 * const imports = new ProgressBar(process.stderr, importProgressFormat(fileSize));
 * imports.update({ rows: 100, imported: 99, skipped: 1, bytes: 4096 });
 * imports.log('people.csv: line 7: email: not a valid address (skipped)');
 * ```
 */
export class ProgressBar<P = Progress> {
  readonly #out: Pick<WriteStream, 'write'>;
  readonly #format: ProgressFormat<P>;
  readonly #start = performance.now();
  #last = '';

  public constructor(out: Pick<WriteStream, 'write'>, format?: ProgressFormat<P>) {
    this.#out = out;
    this.#format = format ?? (formatProgress as unknown as ProgressFormat<P>);
  }

  public update(p: P): void {
    const line = this.#format(p, (performance.now() - this.#start) / 1000);
    if (line === this.#last) return;
    this.#last = line;
    this.#out.write(`\r${line}\u001b[K`);
  }

  /** Writes a line above the bar (the bar is drawn again below it). */
  public log(line: string): void {
    this.#out.write(this.#last ? `\r\u001b[K${line}\n${this.#last}` : `${line}\n`);
  }

  public finish(): void {
    if (this.#last) this.#out.write('\n');
  }
}

/**
 * Formats one progress line.
 *
 * @example
 * ```ts
 * formatProgress({ sent: 50, failed: 0, skipped: 0, total: 100 }, 5); // '[##########          ]  50/100 sent  10.0/s  ETA 5s'
 * ```
 */
export function formatProgress(p: Progress, elapsedSeconds: number, width = 20): string {
  const done = p.sent + p.failed + p.skipped;
  const share = p.total > 0 ? Math.min(1, done / p.total) : 1;
  const filled = Math.round(share * width);
  const rate = elapsedSeconds > 0 ? done / elapsedSeconds : 0;
  const eta = rate > 0 ? Math.ceil((p.total - done) / rate) : undefined;
  const extra = [p.failed ? `${p.failed} failed` : '', p.skipped ? `${p.skipped} skipped` : ''].filter(Boolean).join(', ');
  return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(p.sent).padStart(String(p.total).length)}/${p.total} sent  ${rate.toFixed(1)}/s  ETA ${eta === undefined ? '?' : `${eta}s`}${extra ? `  (${extra})` : ''}`;
}

/** How far an import got (the shape of the import use case's progress). */
export interface ImportProgressState {
  rows: number;
  imported: number;
  skipped: number;
  bytes: number;
}

/**
 * The import's progress line for a file of `totalBytes`: share of the file read, rows, rate
 * and ETA (by bytes, since the number of rows is not known before the end).
 *
 * @example
 * ```ts
 * importProgressFormat(1000)({ rows: 20, imported: 19, skipped: 1, bytes: 500 }, 2);
 * // '[##########          ]  50%  20 rows: 19 imported, 1 skipped  10/s  ETA 2s'
 * ```
 */
export function importProgressFormat(totalBytes: number, width = 20): ProgressFormat<ImportProgressState> {
  return (p, elapsedSeconds) => {
    const share = totalBytes > 0 ? Math.min(1, p.bytes / totalBytes) : 1;
    const filled = Math.round(share * width);
    const rate = elapsedSeconds > 0 ? p.rows / elapsedSeconds : 0;
    const byteRate = elapsedSeconds > 0 ? p.bytes / elapsedSeconds : 0;
    const eta = byteRate > 0 ? Math.ceil((totalBytes - p.bytes) / byteRate) : undefined;
    return `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${p.rows} rows: ${p.imported} imported, ${p.skipped} skipped  ${Math.round(rate)}/s  ETA ${eta === undefined ? '?' : `${eta}s`}`;
  };
}
