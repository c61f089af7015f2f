/**
 * The ingestion's acceptance check, as a user runs it: `digest run` over a folder mixing good
 * and broken files sends an edition with every good article, reports each broken file on
 * stderr with its key and reason, and counts them as `quarantined` in the summary line.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest, lastLine, ROOT } from '../helpers/cli.ts';

const FIXTURES = join(ROOT, 'test/fixtures/content');

/** Good fixtures, where they go in the folder, and the headline each gives. */
const GOOD = [
  { file: 'json-full-fields.json', key: 'news/json-full-fields.json', headline: 'Breaking: parliament dissolved' },
  { file: 'markdown-front-matter.md', key: 'news/markdown-front-matter.md', headline: 'Energy ministers agree on gas storage targets' },
  { file: 'json-text-body.json', key: 'city/json-text-body.json', headline: 'City council approves new tram line' },
  { file: 'page-crlf.txt', key: 'pages/page-crlf.txt', headline: 'Heavy rain closes mountain pass' },
  { file: 'page-two-editors-choice.txt', key: 'pages/page-two-editors-choice.txt', headline: 'Georgia’s parliament passes new media law' },
];

/** Broken fixtures, where they go, and the reason each is quarantined with. */
const BAD = [
  { file: 'bad-json-no-title.json', key: 'news/bad-json-no-title.json', reason: 'JSON article has no title' },
  { file: 'bad-unsupported.pdf', key: 'bad-unsupported.pdf', reason: 'unsupported file type .pdf' },
  { file: 'bad-latin1.txt', key: 'pages/bad-latin1.txt', reason: 'not valid UTF-8 text (binary or another encoding)' },
  { file: 'bad-front-matter-unclosed.md', key: 'news/bad-front-matter-unclosed.md', reason: 'front matter is not closed (no second --- line)' },
  // A url longer than any key may hold: quarantined, and the good articles beside it still go out.
  { file: 'bad-json-long-url.json', key: 'news/bad-json-long-url.json', reason: 'too long: url: at most 2048 characters (got 2100)' },
];


describe('CLI: digest run over good and broken files', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digest-run-mixed-'));
    for (const { file, key } of [...GOOD, ...BAD]) {
      const target = join(dir, 'content', key);
      await mkdir(join(target, '..'), { recursive: true });
      await copyFile(join(FIXTURES, file), target);
    }
    await writeFile(join(dir, 'subscribers.csv'), 'email,name,newsletter,alerts,keywords\nann@example.com,Ann,daily,none,\n');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('sends every good article and reports the broken files as quarantined', async () => {
    // Prepare
    const out = join(dir, 'out');

    // Act
    const result = await digest(['run', '--job', 'daily', '--content', join(dir, 'content'), '--subscribers', join(dir, 'subscribers.csv'), '--out', out]);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(lastLine(result.stdout)) as Record<string, unknown>;
    expect(summary).toMatchObject({ job: 'daily', articles: GOOD.length, recipients: 1, sent: 1, failed: 0, quarantined: BAD.length });
    const reported = result.stderr.split('\n').filter((line) => line.startsWith('quarantined '));
    expect(reported.sort()).toEqual(BAD.map(({ key, reason }) => `quarantined ${key}: ${reason}`).sort());

    const files = (await readdir(out)).filter((f) => f.endsWith('.eml'));
    expect(files).toHaveLength(1);
    const mail = await simpleParser(await readFile(join(out, files[0] ?? '')));
    const text = mail.text ?? '';
    const html = typeof mail.html === 'string' ? mail.html : '';
    for (const { headline } of GOOD) {
      expect(text, headline).toContain(headline);
      expect(html, headline).toContain(headline);
    }
    // The page's two Editor's choice teasers are in it too (the third repeats the first).
    expect(text).toContain('Armenia and Azerbaijan: the long road to a peace treaty');
    expect(text).toContain('Europe must not forget the Black Sea');
    // Nothing of the broken files reaches the reader.
    expect(text).not.toContain('bad-');
  });
});
