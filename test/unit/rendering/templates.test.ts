import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import mjml2html from 'mjml';
import {
  assertIncludesInside,
  fillTemplate,
  resolveInside,
  resolveTemplatesDir,
} from '../../../functions/core/rendering/templates.ts';
import { renderEdition } from '../../../functions/core/rendering/edition-email.ts';
import { renderAlertDigest } from '../../../functions/core/rendering/alert-email.ts';
import { articleView } from '../../../functions/core/rendering/digest-model.ts';
import { renderConfirmationEmail } from '../../../functions/core/rendering/confirmation-email.ts';
import { RenderCounter } from '../../../functions/core/rendering/mjml-compiler.ts';
import { RenderError } from '../../../functions/core/errors.ts';
import { EDITION_URL, makeArticle, makeBranding, makeContent } from '../../kit/fixtures/index.ts';

const TEMPLATES = resolveTemplatesDir();

/** A neutral value for any slot, by its name, so that a template compiles on its own. */
function sampleSlot(name: string): string {
  if (name === 'lang') return 'en';
  if (name === 'href_attr') return 'href="https://example.com/story"';
  if (name.endsWith('_color')) return '#123456';
  if (name.endsWith('_url') || name === 'src') return 'https://example.com/x';
  const fragments = ['logo', 'image', 'hero', 'picks', 'cards', 'editors_choice', 'sections', 'more_stories', 'matches', 'read_more'];
  if (fragments.includes(name)) return '';
  return 'Sample text';
}

function sampleSlots(source: string): Record<string, string> {
  const slots: Record<string, string> = {};
  for (const match of source.matchAll(/\{\{([a-z_]+)\}\}/g)) {
    const name = match[1] ?? '';
    slots[name] = sampleSlot(name);
  }
  return slots;
}

function allTemplateFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.mjml'))
    .map((file) => path.join(dir, file));
}

describe('Templates: every file compiles in strict mode', () => {
  const files = allTemplateFiles(TEMPLATES);
  const everySlotSource = files.map((file) => readFileSync(file, 'utf8')).join('\n');

  it('should find the layouts and partials', () => {
    // Assess
    const names = files.map((f) => path.relative(TEMPLATES, f)).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'digest.mjml',
        'alert-digest.mjml',
        'confirmation.mjml',
        'partials/theme.mjml',
        'partials/preheader.mjml',
        'partials/header.mjml',
        'partials/editors-choice.mjml',
        'partials/card.mjml',
        'partials/more-stories.mjml',
        'partials/footer.mjml',
      ]),
    );
  });

  it.each(files.map((f) => [path.relative(TEMPLATES, f), f]))('should compile %s', async (_name, file) => {
    // Prepare
    const source = readFileSync(file, 'utf8');
    const isDocument = source.includes('<mjml');
    const slots = sampleSlots(everySlotSource);
    // A body fragment goes in a body; a lone column element (logo, image) in a section too.
    // The body of an mj-text (alert-card-body: HTML, no MJML element) goes in an mj-text.
    const column = /<mj-[a-z]/.test(source.replace(/<!--[\s\S]*?-->/g, '')) ? source : `<mj-text>${source}</mj-text>`;
    const fragment = source.includes('<mj-section') ? source : `<mj-section><mj-column>${column}</mj-column></mj-section>`;
    const body = '<mj-body><mj-section><mj-column><mj-text>Body</mj-text></mj-column></mj-section></mj-body>';
    // A head partial (theme, preheader) gets a minimal body to be a whole document.
    const headOnly = isDocument && !source.includes('<mj-body') ? source.replace('</mjml>', `${body}</mjml>`) : source;
    const document = isDocument ? headOnly : `<mjml><mj-body>${fragment}</mj-body></mjml>`;
    // Act
    const result = await mjml2html(document, {
      validationLevel: 'strict',
      filePath: file,
      ignoreIncludes: false,
      preprocessors: [(xml: string) => fillTemplate(xml, slots, path.basename(file))],
    });
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.html).not.toContain('mj-include');
    expect(result.html).not.toContain('{{');
  });
});

describe('Templates: include guard and slots', () => {
  let root: string;
  let templates: string;

  beforeEach(() => {
    // Prepare: a private copy of templates/ next to a file that must stay out of reach.
    root = mkdtempSync(path.join(tmpdir(), 'digest-templates-'));
    templates = path.join(root, 'templates');
    cpSync(TEMPLATES, templates, { recursive: true });
    writeFileSync(path.join(root, 'outside.mjml'), '<mj-section><mj-column><mj-text>secret</mj-text></mj-column></mj-section>');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  function editLayout(from: string, to: string): void {
    const file = path.join(templates, 'digest.mjml');
    writeFileSync(file, readFileSync(file, 'utf8').replace(from, to));
  }

  it.each([
    ['a parent path', '../outside.mjml'],
    ['an encoded parent path', '..%2Foutside.mjml'],
    ['a path climbing out of partials', './partials/../../outside.mjml'],
  ])('should refuse an mj-include with %s', async (_what, include) => {
    // Prepare
    editLayout('<mj-include path="./partials/footer.mjml" />', `<mj-include path="${include}" />`);
    // Act
    const act = renderEdition(makeContent(3), { branding: makeBranding(), editionUrl: EDITION_URL, templatesDir: templates });
    // Assess
    await expect(act).rejects.toBeInstanceOf(RenderError);
    await expect(act).rejects.toThrow(/leaves the templates folder/);
  });

  it('should refuse an absolute include path', () => {
    // Act
    const act = (): string => resolveInside(templates, templates, path.join(root, 'outside.mjml'));
    // Assess
    expect(act).toThrow(RenderError);
  });

  it('should refuse a symlink that points out of templates/', () => {
    // Prepare
    symlinkSync(path.join(root, 'outside.mjml'), path.join(templates, 'partials', 'link.mjml'));
    editLayout('<mj-include path="./partials/footer.mjml" />', '<mj-include path="./partials/link.mjml" />');
    // Act
    const act = (): void => assertIncludesInside(templates, 'digest.mjml');
    // Assess
    expect(act).toThrow(/leaves the templates folder/);
  });

  it('should refuse a missing include', () => {
    // Prepare
    editLayout('<mj-include path="./partials/footer.mjml" />', '<mj-include path="./partials/nope.mjml" />');
    // Act
    const act = (): void => assertIncludesInside(templates, 'digest.mjml');
    // Assess
    expect(act).toThrow(/not found/);
  });

  it('should throw a RenderError with MJML details when strict validation fails', async () => {
    // Prepare
    const card = path.join(templates, 'partials', 'card.mjml');
    writeFileSync(card, readFileSync(card, 'utf8').replace('<mj-text>', '<mj-text bogus-attribute="1">'));
    // Act
    const act = renderEdition(makeContent(3), { branding: makeBranding(), editionUrl: EDITION_URL, templatesDir: templates });
    // Assess
    await expect(act).rejects.toBeInstanceOf(RenderError);
    await expect(act).rejects.toMatchObject({ details: expect.arrayContaining([expect.stringContaining('Attribute bogus-attribute is illegal')]) });
  });

  it('should throw a RenderError for a slot the renderer does not fill', async () => {
    // Prepare
    editLayout('{{sections}}', '{{sections}}{{unknown_slot}}');
    // Act
    const act = renderEdition(makeContent(3), { branding: makeBranding(), editionUrl: EDITION_URL, templatesDir: templates });
    // Assess
    await expect(act).rejects.toThrow(/unknown slot \{\{unknown_slot\}\}/);
  });

  it('should recompile at most twice more when the estimate is too low', async () => {
    // Prepare: 12 KB of static text the size estimate knows nothing about.
    const filler = `<mj-section><mj-column><mj-text>${'filler '.repeat(1700)}</mj-text></mj-column></mj-section>`;
    editLayout('{{more_stories}}', `{{more_stories}}${filler}`);
    const counter = new RenderCounter();
    // Act
    const result = await renderEdition(makeContent(38), {
      branding: makeBranding(),
      editionUrl: EDITION_URL,
      templatesDir: templates,
      observer: counter,
    });
    // Assess
    const compiles = counter.compiles;
    expect(compiles).toBe(2);
    expect(counter.last?.compiles).toBe(2);
    expect(Buffer.byteLength(result.html, 'utf8')).toBeLessThan(90 * 1024);
    expect(result.omitted).toBeGreaterThan(0);
  });
});

describe('Function: fillTemplate', () => {
  it('should fill slots in one pass, drop comments and leave tokens alone', () => {
    // Prepare
    const source = '<!-- {{ignored}} --><p>{{a}} {{b}} %%{name}%%</p>';
    // Act
    const filled = fillTemplate(source, { a: '{{b}}', b: 'B' }, 'test');
    // Assess
    expect(filled).toBe('<p>{{b}} B %%{name}%%</p>');
  });
});

describe('Templates: every layout renders through the public functions in strict mode', () => {
  it('should render the digest, the alert digest and the confirmation', async () => {
    // Prepare
    const branding = makeBranding();
    const counter = new RenderCounter();
    // Act
    await renderEdition(makeContent(5), { branding, editionUrl: EDITION_URL, observer: counter });
    await renderAlertDigest(
      { id: 'alerts-1', language: 'en', items: [{ story: articleView(makeArticle(1), 'a1'), keywords: ['border'] }], total: 1 },
      { branding, observer: counter },
    );
    await renderConfirmationEmail({ branding, confirmUrl: 'https://api.example.com/confirm?t=1', observer: counter });
    // Assess
    expect(counter.compiles).toBe(3);
  });
});
