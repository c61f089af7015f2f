/**
 * The plain-text parts, built from the same view as the HTML (not converted from it).
 * Lines are wrapped at 78 characters; URLs are never broken. No MJML here.
 */
import { Token } from '../editions/types.ts';
import { storyLink, type CheckedBranding, type DigestView, type StoryView } from './digest-model.ts';
import { defuseTokens, oneLine } from './escape.ts';
import { wrapText } from './text-format.ts';

const WIDTH = 78;

/** Wraps untrusted text (token look-alikes defused) or, with `trusted`, our own text. */
function para(text: string, trusted = false): string {
  return wrapText(trusted ? text : defuseTokens(text, 'text'), WIDTH).join('\n');
}

function heading(text: string, rule: '=' | '-'): string {
  const title = defuseTokens(oneLine(text), 'text');
  return `${wrapText(title, WIDTH).join('\n')}\n${rule.repeat(Math.min(Math.max(title.length, 3), WIDTH))}`;
}

function story(s: StoryView, options: { kicker?: string } = {}): string {
  const lines: string[] = [];
  if (options.kicker) lines.push(para(options.kicker));
  lines.push(para(s.headline));
  if (s.summary) lines.push(para(s.summary));
  const link = storyLink(s);
  if (link) lines.push(wrapText(`Read more: ${link}`, WIDTH).join('\n'));
  return lines.join('\n');
}

function footer(branding: CheckedBranding, reason: string): string {
  return [
    '--',
    para(reason),
    '',
    `View in browser:\n${Token.WEB_VIEW_URL}`,
    `Manage preferences:\n${Token.PREFERENCES_URL}`,
    `Unsubscribe:\n${Token.UNSUBSCRIBE_URL}`,
    '',
    branding.postalAddress
      .split(/\r?\n/)
      .map((line) => para(line))
      .filter(Boolean)
      .join('\n'),
  ].join('\n');
}

/** What the digest's plain text needs besides the view. */
export interface DigestTextOptions {
  branding: CheckedBranding;
  /** The edition's date, shown under the site name (digests; empty or absent: none). */
  date?: string;
  greeting: string;
  intro: string;
  reason: string;
  /** Stories left out for size, with the page that has them all. */
  omitted: number;
  editionUrl: string;
  omittedNote: string;
}

/**
 * The digest's plain-text part: site name and date, greeting, "Editor's choice", each
 * section, the "More stories" link when stories were left out, then the footer with the token
 * URLs. A story without a URL links to its place on the web page (`fallbackUrl`).
 *
 * @example
 * ```ts
 * const text = digestText(view, { branding, greeting: 'Hello %%{name}%%,', ... });
 * ```
 */
export function digestText(view: DigestView, options: DigestTextOptions): string {
  const masthead = heading(options.branding.siteName, '=');
  const blocks: string[] = [
    options.date ? `${masthead}\n${para(options.date, true)}` : masthead,
    `${para(options.greeting, true)}\n${para(options.intro, true)}`,
  ];
  if (view.picks.length > 0) {
    blocks.push(heading("Editor's choice", '-'));
    for (const pick of view.picks) blocks.push(story(pick, pick.section ? { kicker: pick.section.toUpperCase() } : {}));
  }
  for (const section of view.sections) {
    blocks.push(heading(section.name, '-'));
    for (const s of section.stories) blocks.push(story(s));
  }
  if (options.omitted > 0) {
    blocks.push(`${para(options.omittedNote)}\n${wrapText(`More stories: ${options.editionUrl}`, WIDTH).join('\n')}`);
  }
  blocks.push(footer(options.branding, options.reason));
  return `${blocks.join('\n\n')}\n`;
}

/**
 * The confirmation email's plain-text part.
 *
 * @example
 * ```ts
 * confirmationText(branding, { greeting: 'Hello Ann,', confirmUrl: 'https://…/confirm?t=…' });
 * ```
 */
export function confirmationText(
  branding: CheckedBranding,
  options: { greeting: string; confirmUrl: string },
): string {
  return `${[
    heading(branding.siteName, '='),
    para(options.greeting, true),
    para(`Please confirm that you want to receive ${branding.siteName} by email. Open this link to confirm your subscription:`),
    options.confirmUrl,
    para('If you did not ask for this, ignore this email: nothing happens and you will not be subscribed.'),
    '--',
    para(`You get this email because someone entered this address on ${branding.siteName} (${branding.siteUrl}).`),
    branding.postalAddress
      .split(/\r?\n/)
      .map((line) => para(line))
      .filter(Boolean)
      .join('\n'),
  ].join('\n\n')}\n`;
}
