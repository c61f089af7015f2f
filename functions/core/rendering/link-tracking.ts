/**
 * Click tracking, decided per anchor in the compiled HTML. SES rewrites every link of an HTML
 * part to count clicks (when the configuration set publishes Click events) except anchors
 * marked with the attribute `ses:no-track`. So:
 *
 * - tracking off (the default, and always for confirmation mail): every anchor gets `ses:no-track`;
 * - tracking on (a job's setting, CLICK_TRACKING): only the subscriber's own links (unsubscribe,
 *   preferences, confirm) get it. They carry a personal token, and a redirect through a
 *   tracking domain must never stand between a reader and leaving the list.
 */

/** Whether an href is one of the subscriber's own links: a token, or our unsubscribe/preferences/confirm paths. */
export function isSubscriberLink(href: string): boolean {
  return /%%\{(unsubscribe_url|preferences_url|confirm_url)\}%%/.test(href)
    || /^https?:\/\/[^/?#]+(\/[^?#]*)?\/(unsubscribe|preferences|confirm)(?:[?#]|$)/i.test(href);
}

const ANCHOR = /<a\b([^>]*)>/gi;
const HREF = /\bhref\s*=\s*("([^"]*)"|'([^']*)')/i;
const NO_TRACK = /\bses:no-track\b/i;

/**
 * Marks the anchors SES must not track.
 *
 * @example
 * ```ts
 * markUntracked('<a href="https://x.example/a">A</a> <a href="%%{unsubscribe_url}%%">U</a>', { track: true });
 * // '<a href="https://x.example/a">A</a> <a ses:no-track href="%%{unsubscribe_url}%%">U</a>'
 * ```
 */
export function markUntracked(html: string, options: { track: boolean }): string {
  return html.replace(ANCHOR, (whole, attributes: string) => {
    if (NO_TRACK.test(attributes)) return whole;
    const match = HREF.exec(attributes);
    const href = match?.[2] ?? match?.[3];
    if (href === undefined) return whole;
    if (options.track && !isSubscriberLink(href)) return whole;
    return `<a ses:no-track${attributes.startsWith(' ') ? '' : ' '}${attributes}>`;
  });
}

/**
 * The links SES tracks in an HTML part (those without `ses:no-track`), in order.
 *
 * @example
 * ```ts
 * trackedLinks('<a href="https://x.example/a">A</a><a ses:no-track href="https://x.example/b">B</a>'); // ['https://x.example/a']
 * ```
 */
export function trackedLinks(html: string): string[] {
  const links: string[] = [];
  for (const [, attributes = ''] of html.matchAll(ANCHOR)) {
    if (NO_TRACK.test(attributes)) continue;
    const match = HREF.exec(attributes);
    const href = match?.[2] ?? match?.[3];
    if (href !== undefined && /^https?:/i.test(href)) links.push(href);
  }
  return links;
}
