/**
 * A one-line progress bar for a terminal: sent/total, rate and ETA.
 */
import type { WriteStream } from 'node:tty';

export interface Progress {
  sent: number;
  failed: number;
  skipped: number;
  total: number;
}

/**
 * @example
 * ```ts
 * const bar = new ProgressBar(process.stderr);
 * bar.update({ sent: 10, failed: 0, skipped: 1, total: 100 });
 * bar.finish();
 * ```
 */
export class ProgressBar {
  readonly #out: Pick<WriteStream, 'write'>;
  readonly #start = performance.now();
  #last = '';

  public constructor(out: Pick<WriteStream, 'write'>) {
    this.#out = out;
  }

  public update(p: Progress): void {
    const line = formatProgress(p, (performance.now() - this.#start) / 1000);
    if (line === this.#last) return;
    this.#last = line;
    this.#out.write(`\r${line}\u001b[K`);
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
