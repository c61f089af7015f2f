/**
 * html-validate set up for the rendered artefacts.
 *
 * Email HTML (MJML output) starts from `html-validate:recommended` with only the rules that
 * email HTML must break turned off; the public web pages get the full recommended set.
 */
import { HtmlValidate, type Message } from 'html-validate';

export const emailValidator = new HtmlValidate({
  extends: ['html-validate:recommended'],
  rules: {
    // Email clients (Gmail app for non-Gmail accounts, many webmails) drop <style> blocks:
    // inline styles are the only reliable way to style an email.
    'no-inline-style': 'off',
    // Outlook for Windows renders with Word and needs the `align`, `bgcolor`, `border`,
    // `cellpadding`, `cellspacing` and `width` attributes on the layout tables.
    'no-deprecated-attr': 'off',
    // `<!--[if mso | IE]>` conditional comments carry the Outlook-only ghost tables.
    'no-conditional-comment': 'off',
    // role="presentation" on layout tables is what screen readers in email clients support;
    // role="none" is newer and less widely understood there.
    'presentation-role-style': 'off',
    // MJML wraps the body in <div role="article" aria-roledescription="email">, the
    // pattern recommended for email accessibility; <article> is not reliably supported.
    'prefer-native-element': 'off',
    // MJML writes `<!doctype html>` in lower case; only the case differs.
    'doctype-style': 'off',
    // <title> holds the subject line (up to 120 characters by design); inboxes do not show it.
    'long-title': 'off',
  },
});

export const pageValidator = new HtmlValidate({ extends: ['html-validate:recommended'] });

/**
 * The one attribute value MJML writes that html-validate rejects: `height="auto"` on the
 * <img> of mj-image (an Outlook hint). Only that exact message is ignored; every other
 * `attribute-allowed-values` problem still fails.
 */
function isKnownMjmlQuirk(message: Message): boolean {
  return message.ruleId === 'attribute-allowed-values' && message.message === 'Attribute "height" has invalid value "auto"';
}

/** The problems html-validate finds, as readable lines (empty when valid). */
export async function htmlProblems(validator: HtmlValidate, html: string): Promise<string[]> {
  const report = await validator.validateString(html);
  return report.results
    .flatMap((result) => result.messages)
    .filter((message) => !isKnownMjmlQuirk(message))
    .map((message) => `${message.ruleId}: ${message.message} (${message.selector ?? ''})`);
}
