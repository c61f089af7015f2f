import { describe, expect, it } from 'vitest';
import { formatProgress, importProgressFormat, ProgressBar, type ImportProgressState } from '../../../functions/cli/progress.ts';

describe('Function: importProgressFormat', () => {
  it('shows the share of the file read, the rows, the rate and the ETA', () => {
    // Prepare
    const format = importProgressFormat(1000);

    // Act
    const line = format({ rows: 20, imported: 19, skipped: 1, bytes: 500 }, 2);

    // Assess
    expect(line).toBe('[##########          ]  50%  20 rows: 19 imported, 1 skipped  10/s  ETA 2s');
  });
});

describe('Class: ProgressBar', () => {
  it('redraws one line, writes issue lines above it, and ends with a line break', () => {
    // Prepare
    const written: string[] = [];
    const bar = new ProgressBar<ImportProgressState>({ write: (s: string) => written.push(s) > 0 }, importProgressFormat(100));

    // Act
    bar.update({ rows: 1, imported: 1, skipped: 0, bytes: 10 });
    bar.log('people.csv: line 2: email: not a valid address (skipped)');
    bar.finish();

    // Assess
    const out = written.join('');
    expect(out.startsWith('\r[##')).toBe(true);
    expect(out).toContain('\r\u001b[Kpeople.csv: line 2: email: not a valid address (skipped)\n[##');
    expect(out.endsWith('\n')).toBe(true);
  });

  it('keeps formatting send progress by default', () => {
    // Prepare
    const written: string[] = [];
    const bar = new ProgressBar({ write: (s: string) => written.push(s) > 0 });

    // Act
    bar.update({ sent: 50, failed: 0, skipped: 0, total: 100 });

    // Assess
    expect(written[0]).toContain(formatProgress({ sent: 50, failed: 0, skipped: 0, total: 100 }, 0).slice(0, 30));
  });
});
