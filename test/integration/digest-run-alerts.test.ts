/**
 * The keyword alerts' acceptance check, as a user runs it: with the seed page as content and
 * three alert followers (Minsk instant, Greenland instant, Minsk;Iran hourly), `digest run
 * --job alerts` writes exactly two alert digests, each listing the seed article once, nothing
 * to the Greenland follower, both unsubscribe headers (alerts only), and the JSON summary last.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { load } from 'cheerio';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { digest, lastLine, ROOT } from '../helpers/cli.ts';

const SEED = join(ROOT, 'test/fixtures/000_c5efd77b2ca7bb98.txt');
const HEADLINE = 'Blinken and Lavrov discuss growing tensions Ukraine-Russia';

const count = (haystack: string, needle: string): number => haystack.split(needle).length - 1;

describe('CLI: digest run --job alerts', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digest-alerts-'));
    await mkdir(join(dir, 'content'));
    await copyFile(SEED, join(dir, 'content', '000_c5efd77b2ca7bb98.txt'));
    await writeFile(
      join(dir, 'subscribers.csv'),
      'email,name,newsletter,alerts,keywords\nm@example.com,M,none,instant,Minsk\ng@example.com,G,none,instant,Greenland\nmi@example.com,MI,none,hourly,Minsk;Iran\n',
    );
  });

  it('sends one alert digest to each follower the seed page matches, and nothing to the others', async () => {
    // Prepare
    const out = join(dir, 'out');

    // Act
    const result = await digest(['run', '--job', 'alerts', '--content', join(dir, 'content'), '--subscribers', join(dir, 'subscribers.csv'), '--out', out]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(lastLine(result.stdout)) as Record<string, unknown>;
    expect(summary).toMatchObject({ job: 'alerts', articles: 1, recipients: 2, sent: 2, skipped: 0, failed: 0, quarantined: 0 });
    expect(summary.edition).toMatch(/^alerts-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}$/);
    expect(Object.keys(summary).sort()).toEqual(['articles', 'edition', 'failed', 'job', 'quarantined', 'recipients', 'sent', 'skipped']);

    const files = (await readdir(out)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(2);
    const byRecipient = new Map<string, { html: string; text: string; raw: string }>();
    for (const file of files) {
      const raw = await readFile(join(out, file), 'utf8');
      const mail = await simpleParser(raw);
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      byRecipient.set(to?.value[0]?.address ?? '', { html: typeof mail.html === 'string' ? mail.html : '', text: mail.text ?? '', raw });
    }
    expect([...byRecipient.keys()].sort()).toEqual(['m@example.com', 'mi@example.com']);
    for (const [to, mail] of byRecipient) {
      const $ = load(mail.html);
      expect($('h3').filter((_i, el) => $(el).text() === HEADLINE)).toHaveLength(1);
      expect(count(mail.text, HEADLINE), to).toBe(1);
      expect(mail.raw).toMatch(/^List-Unsubscribe: <http:\/\/127\.0\.0\.1:3000\/unsubscribe\?token=[\w.-]+>\r$/m);
      expect(mail.raw).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
      // The one-click link stops alerts only (its own token purpose).
      const token = /unsubscribe\?token=([\w.-]+)/.exec(mail.raw)?.[1] ?? '';
      expect(JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ p: 'unsubscribe-alerts' });
    }
    expect(byRecipient.get('mi@example.com')?.text).toContain('Matched: Iran, Minsk');
    expect(byRecipient.get('m@example.com')?.text).toContain('Matched: Minsk ·');
  });

  it('refuses a bad subscribers row with its line number and the field', async () => {
    // Prepare
    const csv = join(dir, 'bad.csv');
    await writeFile(csv, 'email,name,newsletter,alerts,keywords,timezone,alert_hour\nok@example.com,,none,weekly,Minsk,Europe/Amsterdam,7\nbad@example.com,,none,daily,Minsk,Mars/Olympus,7\nhour@example.com,,none,daily,Minsk,,24\nthe@example.com,,none,daily,the,,\n');

    // Act
    const result = await digest(['run', '--job', 'alerts', '--content', join(dir, 'content'), '--subscribers', csv, '--out', join(dir, 'out-bad'), '--quiet']);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain('line 3: timezone: unknown time zone "Mars/Olympus"');
    expect(result.stderr).toContain('line 4: alert_hour: must be a whole hour from 0 to 23');
    expect(result.stderr).toContain('line 5: keywords: "the" is only common words');
    expect(JSON.parse(lastLine(result.stdout))).toMatchObject({ recipients: 1, sent: 1 });
  });
});
