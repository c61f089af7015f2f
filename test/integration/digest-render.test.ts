/**
 * `digest render`: a preview of the next edition without sending anything.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { load } from 'cheerio';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

describe('CLI: digest render', () => {
  it('writes the email HTML and text, the public web page and the metadata, tokens filled', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'digest-render-'));
    await mkdir(join(dir, 'content'));
    await copyFile(join(ROOT, 'test/fixtures/000_c5efd77b2ca7bb98.txt'), join(dir, 'content/seed.txt'));
    const out = join(dir, 'out');

    // Act
    const { stdout } = await run('node', ['--import', 'tsx', join(ROOT, 'infra/local/digest.ts'), 'render', '--content', join(dir, 'content'), '--out', out], { cwd: ROOT, timeout: 90_000 });

    // Assess
    expect((await readdir(out)).sort()).toEqual(['email.html', 'email.txt', 'meta.json', 'web.html']);
    expect(stdout.trim().split('\n')).toHaveLength(4);
    const html = await readFile(join(out, 'email.html'), 'utf8');
    const text = await readFile(join(out, 'email.txt'), 'utf8');
    const page = await readFile(join(out, 'web.html'), 'utf8');
    const meta = JSON.parse(await readFile(join(out, 'meta.json'), 'utf8')) as { subject: string; htmlBytes: number };
    const $ = load(html);
    expect($('body').text()).toContain('Blinken and Lavrov discuss growing tensions Ukraine-Russia');
    expect(text.indexOf("Editor's choice")).toBeLessThan(text.indexOf('Council of Europe launches'));
    expect(html).not.toContain('%%{');
    expect(text).not.toContain('%%{');
    // The public page carries no personal links.
    expect(page).not.toMatch(/unsubscribe\?token|preferences\?token|%%\{/);
    expect(page).toContain('Council of Europe launches new International Claims Commission for Ukraine');
    expect(meta.subject).toMatch(/^CommonSpace Digest: Council of Europe launches/);
    expect(meta.htmlBytes).toBeLessThan(90 * 1024);
  });
});
