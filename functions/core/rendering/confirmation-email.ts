/**
 * The double opt-in email (`templates/confirmation.mjml`): a greeting, a "Confirm
 * subscription" button and a note that nothing happens if it is ignored.
 *
 * It greets nobody by name: the mail goes to an address someone typed, before its owner said
 * anything, so no text from the request (a name, keywords) may appear in it, in the body or
 * in a header. Otherwise a stranger could make our domain deliver their words to anyone.
 */
import type { Branding } from './types.ts';
import { defuseTokens, escapeText, oneLine, safeHttpUrl } from './escape.ts';
import { RenderError } from '../errors.ts';
import { compileMjml, renderContext, type RenderObserver } from './mjml-compiler.ts';
import { languageTag } from './digest-model.ts';
import { buildSubject } from './subject.ts';
import { confirmationText } from './plain-text.ts';

/**
 * Renders the double opt-in email: "Hello," (never a name), a "Confirm subscription" button
 * and a note that nothing happens if it is ignored. `confirmUrl` is the real link (no token).
 *
 * @throws RenderError when `confirmUrl` is not an absolute http(s) URL or MJML fails.
 * @example
 * ```ts
 * const mail = await renderConfirmationEmail({
 *   branding,
 *   confirmUrl: 'https://api.example.com/confirm?token=abc',
 * });
 * mail.subject; // 'Confirm your subscription to Example News'
 * ```
 */
export async function renderConfirmationEmail(options: {
  branding: Branding;
  confirmUrl: string;
  language?: string;
  templatesDir?: string;
  observer?: RenderObserver;
}): Promise<{ subject: string; html: string; text: string }> {
  const ctx = renderContext(options.branding, options.templatesDir);
  const confirmUrl = safeHttpUrl(options.confirmUrl);
  if (!confirmUrl) throw new RenderError('confirmUrl must be an absolute http(s) URL');
  const hello = 'Hello,';
  const subject = buildSubject('Confirm your subscription to {site}', {
    site: ctx.branding.siteName,
    headline: '',
    moreCount: 0,
    date: '',
  });
  const html = await compileMjml(ctx, 'confirmation.mjml', {
    lang: languageTag(options.language ?? 'en'),
    title: escapeText(subject),
    preheader: escapeText(`One click to confirm your subscription to ${oneLine(ctx.branding.siteName)}.`),
    greeting: escapeText(hello),
    intro: escapeText(`Thank you for signing up for ${oneLine(ctx.branding.siteName)}.`),
    confirm_url: escapeText(confirmUrl),
  }, options.observer);
  const text = confirmationText(ctx.branding, {
    greeting: defuseTokens(hello, 'text'),
    confirmUrl,
  });
  return { subject, html, text };
}
