/**
 * Checks on email HTML for the hidden-text tricks spam filters score. SpamAssassin's
 * HTML_FONT_LOW_CONTRAST (Mail::SpamAssassin::HTML, html_font_invisible) fires on text whose
 * inline colour is within a brightness-weighted distance of 12 of its inline background
 * (default black on white), whether the text is displayed or not: what mj-preview's hidden
 * preheader (white 1px text on the light page background) does. Inline styles only, as
 * SpamAssassin reads them.
 */
import type { CheerioAPI } from 'cheerio';

/** The part of a parsed node this file reads (cheerio's nodes are domhandler's). */
interface HtmlNode {
  type: string;
  name?: string;
  data?: string;
  attribs?: Record<string, string>;
  children?: HtmlNode[];
}

type Rgb = readonly [number, number, number];

const NAMED: Readonly<Record<string, Rgb>> = { white: [255, 255, 255], black: [0, 0, 0] };

function rgb(value: string): Rgb | undefined {
  const v = value.trim().toLowerCase();
  if (NAMED[v]) return NAMED[v];
  const long = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/.exec(v);
  if (long) return [parseInt(long[1]!, 16), parseInt(long[2]!, 16), parseInt(long[3]!, 16)];
  const short = /^#([0-9a-f])([0-9a-f])([0-9a-f])$/.exec(v);
  if (short) return [parseInt(short[1]!.repeat(2), 16), parseInt(short[2]!.repeat(2), 16), parseInt(short[3]!.repeat(2), 16)];
  return undefined;
}

/** An inline style's declarations, by lower-case property. */
function declarations(style: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (style ?? '').split(';')) {
    const colon = part.indexOf(':');
    if (colon > 0) out.set(part.slice(0, colon).trim().toLowerCase(), part.slice(colon + 1).trim());
  }
  return out;
}

/** SpamAssassin's distance between two colours (its threshold for "low contrast" is 12). */
export function contrastDistance(fg: Rgb, bg: Rgb): number {
  const [r, g, b] = [fg[0] - bg[0], fg[1] - bg[1], fg[2] - bg[2]];
  return Math.sqrt((0.2126 * r) ** 2 + (0.7152 * g) ** 2 + (0.0722 * b) ** 2);
}

interface TextStyle {
  fg: Rgb;
  bg: Rgb;
  /** Inline font size in px, when set. */
  fontPx?: number;
}

function styleOf(element: HtmlNode, parent: TextStyle): TextStyle {
  const style = declarations(element.attribs?.style);
  const next: TextStyle = { ...parent };
  const fg = style.get('color');
  if (fg !== undefined) next.fg = rgb(fg) ?? next.fg;
  const bgAttr = element.attribs?.bgcolor;
  const bgValue = style.get('background-color') ?? style.get('background') ?? bgAttr;
  const bg = bgValue?.split(/\s+/).map(rgb).find((c) => c !== undefined);
  if (bg) next.bg = bg;
  const size = /^(\d+(?:\.\d+)?)px$/.exec(style.get('font-size') ?? '');
  if (size) next.fontPx = Number(size[1]);
  return next;
}

/**
 * Every text that SpamAssassin would see as low-contrast, or that sits in an inline font
 * smaller than 2px, with the reason (empty when there is none).
 *
 * @example
 * ```ts
 * expect(hiddenTextProblems(cheerio.load(rendered.html))).toEqual([]);
 * ```
 */
export function hiddenTextProblems($: CheerioAPI): string[] {
  const problems: string[] = [];
  const walk = (node: HtmlNode, style: TextStyle): void => {
    if (node.type === 'text') {
      const text = (node.data ?? '').trim();
      if (text === '') return;
      const distance = contrastDistance(style.fg, style.bg);
      if (distance < 12) problems.push(`low contrast (${distance.toFixed(1)}): ${text.slice(0, 40)}`);
      if (style.fontPx !== undefined && style.fontPx < 2) problems.push(`font-size ${style.fontPx}px: ${text.slice(0, 40)}`);
      return;
    }
    if (node.type !== 'tag' && node.type !== 'root') return;
    const next = node.type === 'tag' ? styleOf(node, style) : style;
    if (node.type === 'tag' && ['style', 'script', 'title', 'head'].includes(node.name ?? '')) return;
    for (const child of node.children ?? []) walk(child, next);
  };
  walk($.root().get(0) as HtmlNode, { fg: [0, 0, 0], bg: [255, 255, 255] });
  return problems;
}

/**
 * How the preheader element hides its text, from its inline style: `display:none`, without
 * colour, opacity or font-size tricks. Returns what is wrong (empty when it is hidden the
 * plain way).
 *
 * @example
 * ```ts
 * expect(preheaderProblems($('.preheader').attr('style'))).toEqual([]);
 * ```
 */
export function preheaderProblems(inlineStyle: string | undefined): string[] {
  if (inlineStyle === undefined) return ['no inline style'];
  const style = declarations(inlineStyle);
  const problems: string[] = [];
  if (style.get('display') !== 'none') problems.push('not display:none');
  for (const property of ['color', 'font-size', 'opacity', 'line-height', 'visibility']) {
    if (style.has(property)) problems.push(`carries ${property}`);
  }
  return problems;
}
