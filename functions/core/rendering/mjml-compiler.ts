/**
 * The MJML compile step shared by every email: the branding context, filling the partials
 * (`templates/partials/`), compiling a layout once with MJML (strict validation, includes
 * kept inside the templates folder), and fitting an email under its size budget.
 *
 * This file and the email files that use it (edition-email.ts, alert-email.ts,
 * confirmation-email.ts) are the only modules that load MJML. The per-recipient send path
 * never imports them (test/unit/architecture.test.ts checks it).
 *
 * Size: the HTML part must stay under `maxHtmlBytes` (90 KB). The size of each variant is
 * estimated from the MJML fragments before compiling (bytes of the filled fragments plus a
 * measured overhead per MJML component), the least recent articles are left out until the
 * estimate fits, and MJML compiles once. Only when the real size is still over does it
 * compile again with the estimate corrected by the measured error (at most 3 compiles).
 */
import path from 'node:path';
import mjml2html from 'mjml';
import { markUntracked } from './link-tracking.ts';
import type { Branding } from './types.ts';
import { escapeHtml, escapeText, oneLine } from './escape.ts';
import { RenderError } from '../errors.ts';
import { assertIncludesInside, fillTemplate, readTemplate, resolveTemplatesDir, type Slots } from './templates.ts';
import { checkBranding, dropOrder, storyCount, withoutStories, type CheckedBranding, type DigestView } from './digest-model.ts';

/** Default budget of the HTML part (bytes): Gmail clips messages above ~102 KB. */
export const DEFAULT_MAX_HTML_BYTES = 90 * 1024;
/** Most MJML compiles one render may take to fit the budget. */
export const MAX_COMPILES_PER_RENDER = 3;

/** The MJML layouts (files at the top of `templates/`). */
export type Layout = 'digest.mjml' | 'alert-digest.mjml' | 'confirmation.mjml';

/** Diagnostics of one render (benchmarks, tests). */
export interface RenderStats {
  layout: string;
  /** MJML compiles this render took (1 unless the first estimate was too low). */
  compiles: number;
  /** Estimate of the variant compiled last, and its real size (UTF-8 bytes). */
  estimatedBytes: number;
  htmlBytes: number;
  shown: number;
  omitted: number;
}

/** Told what each render did; passed in by whoever wants to know (benchmarks, tests). */
export interface RenderObserver {
  /** Called once per MJML compile. */
  compiled?(layout: Layout): void;
  /** Called once per email fitted to its budget. */
  rendered?(stats: RenderStats): void;
}

/**
 * An observer that counts compiles and keeps the last render's stats.
 *
 * @example
 * ```ts
 * const counter = new RenderCounter();
 * await renderEdition(content, { branding, editionUrl, observer: counter });
 * counter.compiles; // 1
 * ```
 */
export class RenderCounter implements RenderObserver {
  public compiles = 0;
  public last: RenderStats | undefined;

  public compiled(): void {
    this.compiles += 1;
  }

  public rendered(stats: RenderStats): void {
    this.last = stats;
  }
}

/*
 * Size estimate. Bytes the compiled, minified HTML adds per MJML component beyond the
 * component's own MJML source, and per layout (head, styles, header, footer), measured with
 * mjml 5.4 on these templates (test/unit/rendering checks the estimate stays close).
 */
const COMPONENT_OVERHEAD: Readonly<Record<string, number>> = {
  'mj-section': 800,
  'mj-column': 340,
  'mj-text': 268,
  'mj-image': 460,
  'mj-button': 700,
};
const LAYOUT_OVERHEAD: Readonly<Record<Layout, number>> = {
  'digest.mjml': 5600,
  'alert-digest.mjml': 7200,
  'confirmation.mjml': 0,
};
/** Aim this far under the budget with the first estimate. */
const FIRST_TRY_MARGIN = 0.97;

const COMPONENT = /<(mj-[a-z]+)\b/g;

function estimateBytes(layout: Layout, slots: Slots): number {
  let total = LAYOUT_OVERHEAD[layout];
  for (const value of Object.values(slots)) {
    // Minification collapses the templates' indentation, so count collapsed white space.
    total += Buffer.byteLength(value.replace(/\s+/g, ' '), 'utf8');
    for (const match of value.matchAll(COMPONENT)) total += COMPONENT_OVERHEAD[match[1] ?? ''] ?? 0;
  }
  return total;
}

/** What every fragment of one email is filled from. */
export interface RenderContext {
  dir: string;
  branding: CheckedBranding;
  /**
   * Branding slots, available to every template, and the shared header's optional `dateline`
   * (empty unless the layout fills it: only digests show a date).
   */
  brand: Slots;
  /** Whether SES may track clicks on the links (not the subscriber's own): see link-tracking.ts. Default false. */
  trackClicks?: boolean;
}

/** The branding context of one email, from the branding and the templates folder. */
export function renderContext(branding: Branding, templatesDir: string | undefined, options: { trackClicks?: boolean } = {}): RenderContext {
  const checked = checkBranding(branding);
  const dir = resolveTemplatesDir(templatesDir);
  const postal = checked.postalAddress
    .split(/\r?\n/)
    .map((line) => escapeText(oneLine(line)))
    .filter(Boolean)
    .join('<br />');
  const logo = checked.logoUrl
    ? fillTemplate(
        readTemplate(dir, 'partials/logo.mjml'),
        {
          logo_url: escapeHtml(checked.logoUrl),
          site_url: escapeHtml(checked.siteUrl),
          site_name: escapeText(oneLine(checked.siteName)),
        },
        'logo',
      )
    : '';
  return {
    dir,
    branding: checked,
    ...(options.trackClicks ? { trackClicks: true } : {}),
    brand: {
      site_name: escapeText(oneLine(checked.siteName)),
      site_url: escapeHtml(checked.siteUrl),
      primary_color: checked.primaryColor,
      text_color: checked.textColor,
      background_color: checked.backgroundColor,
      postal_address: postal,
      logo,
      dateline: '',
    },
  };
}

/** A partial (`templates/partials/<name>.mjml`) filled with the branding and `slots`. */
export function fragment(ctx: RenderContext, name: string, slots: Slots): string {
  return fillTemplate(readTemplate(ctx.dir, `partials/${name}.mjml`), { ...ctx.brand, ...slots }, name);
}

/** Caches the filled fragment of each story: a render estimates several variants. */
export class FragmentCache {
  readonly #cache = new Map<string, string>();
  public get(key: string, build: () => string): string {
    let value = this.#cache.get(key);
    if (value === undefined) {
      value = build();
      this.#cache.set(key, value);
    }
    return value;
  }
}

/** Slot values that depend on the stories shown (the variant of a given size). */
export type Variant = (view: DigestView, omitted: number) => Slots;

/** The variant that fitted, and its HTML. */
export interface Fitted {
  view: DigestView;
  omitted: number;
  html: string;
  compiles: number;
}

/**
 * Compiles a layout once with MJML, its slots filled.
 *
 * @throws RenderError when MJML reports an error or an include leaves the templates folder.
 * @example
 * ```ts
 * const html = await compileMjml(renderContext(branding, undefined), 'confirmation.mjml', slots);
 * ```
 */
export async function compileMjml(ctx: RenderContext, layout: Layout, slots: Slots, observer?: RenderObserver): Promise<string> {
  assertIncludesInside(ctx.dir, layout);
  const source = readTemplate(ctx.dir, layout);
  const all: Slots = { ...ctx.brand, ...slots };
  observer?.compiled?.(layout);
  let result: Awaited<ReturnType<typeof mjml2html>>;
  try {
    result = await mjml2html(source, {
      validationLevel: 'strict',
      filePath: path.join(ctx.dir, layout),
      ignoreIncludes: false,
      keepComments: false,
      minify: true,
      // No SVG in our templates; htmlnano's SVG module would only warn that svgo is missing.
      minifyOptions: { minifyCss: false, minifySvg: false, removeComments: 'safe' } as Record<string, unknown>,
      fonts: {},
      preprocessors: [(xml: string) => fillTemplate(xml, all, layout)],
    });
  } catch (error) {
    if (error instanceof RenderError) throw error;
    const details = mjmlErrors(error);
    throw new RenderError(`MJML could not compile ${layout}${summarize(details)}`, {
      cause: error,
      details,
    });
  }
  if (result.errors.length > 0) {
    const details = result.errors.map((e) => e.formattedMessage);
    throw new RenderError(`MJML reported errors in ${layout}${summarize(details)}`, { details });
  }
  if (result.html.includes('mj-include denied') || result.html.includes('mj-include fails')) {
    throw new RenderError(`An mj-include of ${layout} could not be resolved inside the templates folder`);
  }
  return markUntracked(result.html, { track: ctx.trackClicks === true });
}

function summarize(details: readonly string[]): string {
  if (details.length === 0) return '';
  const shown = [...new Set(details)].slice(0, 3).join('; ');
  return details.length > 3 ? `: ${shown} (${details.length} problems)` : `: ${shown}`;
}

function mjmlErrors(error: unknown): string[] {
  if (typeof error === 'object' && error !== null && 'errors' in error && Array.isArray(error.errors)) {
    return error.errors.map((e: unknown) =>
      typeof e === 'object' && e !== null && 'formattedMessage' in e ? String(e.formattedMessage) : String(e),
    );
  }
  return [error instanceof Error ? error.message : String(error)];
}

/**
 * Picks the largest variant whose estimate fits, compiles it, and recompiles with a smaller
 * variant only when the real HTML is over the budget.
 *
 * @throws RenderError when no variant fits in MAX_COMPILES_PER_RENDER compiles.
 */
export async function fitToBudget(
  ctx: RenderContext,
  layout: Layout,
  view: DigestView,
  variant: Variant,
  maxBytes: number,
  observer?: RenderObserver,
): Promise<Fitted> {
  const order = dropOrder(view);
  const total = storyCount(view);
  const variantFor = (dropped: number): { view: DigestView; slots: Slots } => {
    const smaller = dropped === 0 ? view : withoutStories(view, new Set(order.slice(0, dropped).map((s) => s.key)));
    return { view: smaller, slots: { ...ctx.brand, ...variant(smaller, dropped) } };
  };
  /** Fewest stories to drop so that estimate × correction ≤ target (binary search). */
  const choose = (target: number, correction: number, atLeast: number): number => {
    let lo = atLeast;
    let hi = total - 1;
    if (estimateBytes(layout, variantFor(lo).slots) * correction <= target) return lo;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (estimateBytes(layout, variantFor(mid).slots) * correction <= target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };

  let correction = 1;
  let dropped = choose(maxBytes * FIRST_TRY_MARGIN, correction, 0);
  for (let attempt = 1; ; attempt += 1) {
    const chosen = variantFor(dropped);
    const html = await compileMjml(ctx, layout, chosen.slots, observer);
    const bytes = Buffer.byteLength(html, 'utf8');
    if (bytes <= maxBytes) {
      observer?.rendered?.({
        layout,
        compiles: attempt,
        estimatedBytes: Math.round(estimateBytes(layout, chosen.slots)),
        htmlBytes: bytes,
        shown: storyCount(chosen.view),
        omitted: dropped,
      });
      return { view: chosen.view, omitted: dropped, html, compiles: attempt };
    }
    if (attempt >= MAX_COMPILES_PER_RENDER || dropped >= total - 1) {
      throw new RenderError(
        `The email is ${bytes} bytes, over the ${maxBytes}-byte budget, with ${storyCount(chosen.view)} stories`,
      );
    }
    // Correct the estimate by the measured error, with a little more margin each time.
    correction = Math.max(correction, bytes / estimateBytes(layout, chosen.slots)) * (1 + 0.02 * attempt);
    dropped = choose(maxBytes, correction, dropped + 1);
  }
}
