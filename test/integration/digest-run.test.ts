/**
 * The foundation's acceptance check, as a user runs it: `digest run` on the seed page with
 * three daily subscribers writes three .eml files, each a multipart/alternative message with
 * the seed's headline in both parts, the Claims Commission pick once under "Editor's choice",
 * and both RFC 8058 unsubscribe headers; the last stdout line is the JSON summary.
 */
import { mkdtemp, mkdir, readdir, readFile, writeFile, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'cheerio';
import { simpleParser, type ParsedMail } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { digest, lastLine, ROOT } from '../helpers/cli.ts';

const SEED = join(ROOT, 'test/fixtures/000_c5efd77b2ca7bb98.txt');
const HEADLINE = 'Blinken and Lavrov discuss growing tensions Ukraine-Russia';
const PICK = 'Council of Europe launches new International Claims Commission for Ukraine';

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe('CLI: digest run', () => {
  let dir: string;
  let subscribers: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digest-run-'));
    await mkdir(join(dir, 'content'));
    await copyFile(SEED, join(dir, 'content', '000_c5efd77b2ca7bb98.txt'));
    subscribers = join(dir, 'subscribers.csv');
    await writeFile(
      subscribers,
      'email,name,newsletter,alerts,keywords\nann@example.com,Ann,daily,none,\nbob@example.com,Bob,daily,none,\ncy@example.com,Cy Ünal,daily,none,\n',
    );
  });

  it('sends the seed edition to three daily subscribers as raw MIME files', async () => {
    // Prepare
    const out = join(dir, 'out');

    // Act
    const result = await digest(['run', '--job', 'daily', '--content', join(dir, 'content'), '--subscribers', subscribers, '--out', out]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(lastLine(result.stdout)) as Record<string, unknown>;
    expect(summary).toMatchObject({ job: 'daily', articles: 1, editorsChoice: 1, recipients: 3, sent: 3, skipped: 0, failed: 0, quarantined: 0 });
    expect(Object.keys(summary).sort()).toEqual(['articles', 'edition', 'editorsChoice', 'failed', 'job', 'quarantined', 'recipients', 'sent', 'skipped']);

    const files = (await readdir(out)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(3);
    const recipients = new Set<string>();
    for (const file of files) {
      const raw = await readFile(join(out, file), 'utf8');
      expect(raw).toMatch(/^List-Unsubscribe: <http:\/\/127\.0\.0\.1:3000\/unsubscribe\?token=[\w.-]+>\r$/m);
      expect(raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      const mail: ParsedMail = await simpleParser(raw);
      expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
      const text = mail.text ?? '';
      const html = typeof mail.html === 'string' ? mail.html : '';
      expect(text).toContain(HEADLINE);
      expect(html).toContain(HEADLINE);
      // The pick once, under the Editor's choice heading, before the news list.
      expect(count(text, PICK)).toBe(1);
      expect(text.indexOf("Editor's choice")).toBeGreaterThan(-1);
      expect(text.indexOf("Editor's choice")).toBeLessThan(text.indexOf(PICK));
      expect(text.indexOf(PICK)).toBeLessThan(text.indexOf(HEADLINE));
      // Once in what the reader sees (the subject repeats it in <title> and the wrapper's label).
      expect(count(load(html)('body').text(), PICK)).toBe(1);
      expect(html).toMatch(/Editor(&#39;|&#x27;|'|’)s choice/);
      // The article's own body never carries the teaser's text.
      expect(count(text, 'Thirty-four countries')).toBeLessThanOrEqual(1);
      // No personalisation token is left for the reader.
      expect(raw).not.toContain('%%{');
      recipients.add((mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : '') ?? '');
    }
    expect([...recipients].sort()).toEqual(['ann@example.com', 'bob@example.com', 'cy@example.com']);
  });

  it('fails with a one-line reason on bad arguments and unreadable inputs', async () => {
    // Prepare
    const cases: Array<{ args: string[]; reason: RegExp }> = [
      { args: ['run', '--job', 'hourly', '--out', join(dir, 'x')], reason: /--job must be daily, weekly or alerts/ },
      { args: ['run', '--out', join(dir, 'x')], reason: /--job .* is required/ },
      { args: ['run', '--job', 'daily'], reason: /--out DIR is required/ },
      { args: ['run', '--job', 'daily', '--content', join(dir, 'missing'), '--subscribers', subscribers, '--out', join(dir, 'x')], reason: /--content: .* is not a readable directory/ },
      { args: ['run', '--job', 'daily', '--content', join(dir, 'content'), '--subscribers', join(dir, 'nope.csv'), '--out', join(dir, 'x')], reason: /--subscribers: .* is not a readable file/ },
      { args: ['run', '--job', 'daily', '--now', 'yesterday', '--out', join(dir, 'x')], reason: /--now must be an ISO-8601 date-time/ },
      { args: ['frobnicate'], reason: /unknown command "frobnicate"/ },
    ];

    for (const { args, reason } of cases) {
      // Act
      const result = await digest(args);

      // Assess
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr.trim().split('\n').filter((l) => l.startsWith('digest:'))).toHaveLength(1);
      expect(result.stderr).toMatch(reason);
    }
    // Seven CLI processes, each loading tsx: about 30 s alone, over a minute on a busy machine.
  }, 180_000);

  it('reports invalid subscriber rows by line and still sends to the valid ones', async () => {
    // Prepare
    const csv = join(dir, 'mixed.csv');
    await writeFile(csv, 'email,name,newsletter,alerts,keywords\nok@example.com,Ok,daily,none,\nnot-an-address,Bad,daily,none,\nzed@example.com,Zed,monthly,none,\n');
    const out = join(dir, 'out-mixed');

    // Act
    const result = await digest(['run', '--job', 'daily', '--content', join(dir, 'content'), '--subscribers', csv, '--out', out, '--now', '2026-11-27T06:00:00Z']);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/line 3: .*\(skipped\)/);
    expect(result.stderr).toMatch(/line 4: .*\(skipped\)/);
    const summary = JSON.parse(lastLine(result.stdout)) as { edition: string; sent: number };
    expect(summary.edition).toBe('daily-2026-11-27');
    expect(summary.sent).toBe(1);
    expect((await readdir(out)).filter((f) => f.endsWith('.eml'))).toHaveLength(1);
  });
});
