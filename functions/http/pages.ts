/**
 * The HTML pages of the HTTP API (the HTTP edge, not the core): small, accessible HTML5
 * documents with inline CSS from the site's branding, working without JavaScript. Everything
 * interpolated is escaped.
 */
import { escapeHtml, safeHttpUrl } from '../core/rendering/escape.ts';
import type { Branding } from '../core/rendering/types.ts';
import type { PreferencesView } from '../core/subscribers/subscription-service.ts';
import { HONEYPOT_FIELD, type InputFields } from '../core/subscribers/input.ts';
import { AlertCadence, Newsletter, SubscriberStatus } from '../core/subscribers/types.ts';

/** A page: HTTP status and HTML document. */
export interface Page {
  statusCode: number;
  html: string;
}

const e = escapeHtml;

function colour(value: string, fallback: string): string {
  return /^#[0-9a-fA-F]{3,8}$/.test(value) ? value : fallback;
}

function layout(branding: Branding, options: { title: string; body: string; lang?: string }): string {
  const primary = colour(branding.primaryColor, '#0b5394');
  const text = colour(branding.textColor, '#1f2328');
  const background = colour(branding.backgroundColor, '#f4f5f7');
  const siteUrl = safeHttpUrl(branding.siteUrl);
  const logoUrl = safeHttpUrl(branding.logoUrl);
  const brand = logoUrl
    ? `<img src="${e(logoUrl)}" alt="${e(branding.siteName)}" height="40">`
    : `<span class="site">${e(branding.siteName)}</span>`;
  return `<!DOCTYPE html>
<html lang="${e(options.lang ?? 'en')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>${e(options.title)} · ${e(branding.siteName)}</title>
<style>
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: ${background}; color: ${text}; font: 1.0625rem/1.55 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif; }
header, main, footer { max-width: 40rem; margin: 0 auto; padding: 1rem 1.25rem; }
header { border-bottom: 4px solid ${primary}; }
header a { color: ${text}; text-decoration: none; }
.site { font-weight: 700; font-size: 1.25rem; }
main { background: #fff; border-radius: 0 0 8px 8px; padding: 1.5rem 1.25rem 2rem; }
h1 { font-size: 1.6rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; }
a { color: ${primary}; }
fieldset { border: 1px solid #c9ced6; border-radius: 6px; margin: 0 0 1.25rem; padding: .75rem 1rem 1rem; }
legend { font-weight: 600; padding: 0 .25rem; }
label { display: block; margin: .35rem 0; }
.field > label { font-weight: 600; }
input[type=text], input[type=email] { width: 100%; padding: .55rem .65rem; font: inherit; color: inherit; border: 1px solid #8c959f; border-radius: 6px; }
input[type=radio] { margin-right: .5rem; }
.hint { font-size: .9375rem; color: #57606a; margin: .25rem 0 0; }
.field { margin: 0 0 1.25rem; }
button { font: inherit; font-weight: 600; padding: .65rem 1.25rem; border-radius: 6px; border: 2px solid ${primary}; background: ${primary}; color: #fff; cursor: pointer; }
button.secondary { background: #fff; color: ${primary}; }
button:focus-visible, input:focus-visible, a:focus-visible { outline: 3px solid ${primary}; outline-offset: 2px; }
.notice { border-left: 4px solid ${primary}; background: #f6f8fa; padding: .75rem 1rem; margin: 0 0 1.25rem; }
.error { border-left: 4px solid #b42318; background: #fef3f2; padding: .75rem 1rem; margin: 0 0 1.25rem; }
.error h2 { margin: 0 0 .25rem; font-size: 1.1rem; }
.hp { position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }
footer { font-size: .875rem; color: #57606a; }
</style>
</head>
<body>
<header>${siteUrl ? `<a href="${e(siteUrl)}">${brand}</a>` : brand}</header>
<main id="main">
${options.body}
</main>
<footer><p>${e(branding.siteName)} · ${e(branding.postalAddress)}</p></footer>
</body>
</html>
`;
}

function paragraphs(...texts: string[]): string {
  return texts.map((t) => `<p>${e(t)}</p>`).join('\n');
}

function backToSite(branding: Branding): string {
  const siteUrl = safeHttpUrl(branding.siteUrl);
  return siteUrl ? `<p><a href="${e(siteUrl)}">Back to ${e(branding.siteName)}</a></p>` : '';
}

/**
 * The page after POST /subscribe from a form (the same whatever the address).
 *
 * @example
 * ```ts
 * const { statusCode, html } = subscribeAcceptedPage(branding); // 202
 * ```
 */
export function subscribeAcceptedPage(branding: Branding): Page {
  return {
    statusCode: 202,
    html: layout(branding, {
      title: 'Check your inbox',
      body: `<h1>Check your inbox</h1>\n${paragraphs(
        'If the address can receive mail, a message with a confirmation link is on its way.',
        'Follow that link to start your subscription. If nothing arrives within a few minutes, look in your spam folder.',
      )}\n${backToSite(branding)}`,
    }),
  };
}

/**
 * The page after following a confirmation link.
 *
 * @example
 * ```ts
 * confirmedPage(branding, { already: false }).statusCode; // 200
 * ```
 */
export function confirmedPage(branding: Branding, options: { already: boolean }): Page {
  const heading = options.already ? 'You are already subscribed' : 'Subscription confirmed';
  return {
    statusCode: 200,
    html: layout(branding, {
      title: heading,
      body: `<h1>${e(heading)}</h1>\n${paragraphs(
        options.already
          ? 'Your subscription was confirmed before; there is nothing more to do.'
          : `Thank you. You will receive ${branding.siteName} from the next edition on.`,
        'Every message has a link to change your preferences or to unsubscribe.',
      )}\n${backToSite(branding)}`,
    }),
  };
}

const NEWSLETTER_LABELS: Readonly<Record<Newsletter, string>> = {
  [Newsletter.DAILY]: 'Daily newsletter',
  [Newsletter.WEEKLY]: 'Weekly newsletter',
  [Newsletter.NONE]: 'No newsletter',
};

const ALERT_LABELS: Readonly<Record<AlertCadence, string>> = {
  [AlertCadence.INSTANT]: 'As soon as a matching story is published',
  [AlertCadence.HOURLY]: 'At most once an hour',
  [AlertCadence.DAILY]: 'Once a day, at the delivery hour',
  [AlertCadence.WEEKLY]: 'Once a week, on Mondays at the delivery hour',
  [AlertCadence.NONE]: 'No alerts',
};

/** The delivery hour of daily and weekly alerts (default 07:00). */
function hourOptions(selected: number | undefined): string {
  const chosen = selected ?? 7;
  return Array.from({ length: 24 }, (_v, hour) => {
    const label = `${String(hour).padStart(2, '0')}:00`;
    return `<option value="${hour}"${hour === chosen ? ' selected' : ''}>${label}</option>`;
  }).join('\n');
}

function radios(name: string, labels: Readonly<Record<string, string>>, selected: string): string {
  return Object.entries(labels)
    .map(([value, label]) => {
      const id = `${name}-${value}`;
      const checked = value === selected ? ' checked' : '';
      return `<label><input type="radio" id="${e(id)}" name="${e(name)}" value="${e(value)}"${checked}>${e(label)}</label>`;
    })
    .join('\n');
}

function statusNotice(status: SubscriberStatus): string {
  switch (status) {
    case SubscriberStatus.CONFIRMED:
      return '';
    case SubscriberStatus.PENDING:
      return '<p class="notice" role="status">Your subscription is not confirmed yet: follow the link in the confirmation message.</p>';
    case SubscriberStatus.UNSUBSCRIBED:
      return '<p class="notice" role="status">You are unsubscribed and receive nothing. Preferences saved here are kept for when you subscribe again.</p>';
    default:
      return '<p class="notice" role="status">We cannot deliver mail to this address at the moment, so nothing is sent to it.</p>';
  }
}

/**
 * The preferences form (GET /preferences, and after saving).
 *
 * @example
 * ```ts
 * preferencesPage(branding, await service.getPreferences(token), { saved: false });
 * ```
 */
export function preferencesPage(branding: Branding, view: PreferencesView, options: { saved?: boolean } = {}): Page {
  const saved = options.saved ? '<p class="notice" role="status" id="saved">Your preferences are saved.</p>\n' : '';
  const unsubscribed = view.status !== SubscriberStatus.CONFIRMED && view.status !== SubscriberStatus.PENDING;
  const unsubscribe = unsubscribed
    ? ''
    : `<h2 id="unsubscribe-heading">Unsubscribe</h2>
<p>Stop every newsletter and alert to this address.</p>
<form method="post" action="unsubscribe?token=${e(encodeURIComponent(view.unsubscribeToken))}" aria-labelledby="unsubscribe-heading">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" class="secondary">Unsubscribe</button>
</form>`;
  return {
    statusCode: 200,
    html: layout(branding, {
      title: 'Your preferences',
      body: `<h1>Your preferences</h1>
${saved}${statusNotice(view.status)}
<p>Subscription for <strong>${e(view.maskedEmail)}</strong>.</p>
<form method="post" action="preferences">
<input type="hidden" name="token" value="${e(view.preferencesToken)}">
<div class="field">
<label for="name">Name <span class="hint">(optional)</span></label>
<input type="text" id="name" name="name" value="${e(view.name ?? '')}" maxlength="200" autocomplete="name">
</div>
<fieldset>
<legend>Newsletter</legend>
${radios('newsletter', NEWSLETTER_LABELS, view.newsletter)}
</fieldset>
<fieldset>
<legend>Alerts for your keywords</legend>
${radios('alerts', ALERT_LABELS, view.alerts)}
</fieldset>
<div class="field">
<label for="keywords">Keywords</label>
<input type="text" id="keywords" name="keywords" value="${e(view.keywords.join(', '))}" aria-describedby="keywords-hint" maxlength="2000">
<p class="hint" id="keywords-hint">Separate keywords with commas, for example: energy, Armenia, Nagorno-Karabakh. At most 25, each up to 60 characters.</p>
</div>
<div class="field">
<label for="alertHour">Delivery hour of daily and weekly alerts</label>
<select id="alertHour" name="alertHour">
${hourOptions(view.alertHour)}
</select>
</div>
<div class="field">
<label for="timezone">Time zone <span class="hint">(for example Europe/Amsterdam; UTC when empty)</span></label>
<input type="text" id="timezone" name="timezone" value="${e(view.timezone ?? '')}" maxlength="64" autocomplete="off">
</div>
<button type="submit">Save preferences</button>
</form>
${unsubscribe}`,
    }),
  };
}

/** The subscribe form's text fields, and how a reason names them. */
const SUBSCRIBE_FIELDS = {
  email: { label: 'Email address', target: 'email' },
  name: { label: 'Name', target: 'name' },
  newsletter: { label: 'Newsletter', target: `newsletter-${Newsletter.DAILY}` },
  alerts: { label: 'Alerts', target: `alerts-${AlertCadence.NONE}` },
  keywords: { label: 'Keywords', target: 'keywords' },
  alertHour: { label: 'Delivery hour', target: 'alertHour' },
  timezone: { label: 'Time zone', target: 'timezone' },
} as const;

type SubscribeField = keyof typeof SUBSCRIBE_FIELDS;

/** What the subscribe form shows again after a refused post: the reason and the values sent. */
export interface SubscribeFormState {
  /** The refusal's reason (`field: what is wrong`), as the API words it. */
  error?: string;
  /** The fields as posted; the honeypot is never shown again. */
  values?: InputFields;
}

/** A posted value as typed (control characters, which the API refuses, left out). */
function sent(values: InputFields | undefined, key: SubscribeField): string {
  const value = values?.[key];
  return (typeof value === 'string' ? value : (value?.[0] ?? '')).replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
}

/** The error summary (in words, then the API's reason), and the field it is about. */
function subscribeError(reason: string): { html: string; field?: SubscribeField } {
  const colon = reason.indexOf(': ');
  const key = colon > 0 ? reason.slice(0, colon) : '';
  const field = Object.hasOwn(SUBSCRIBE_FIELDS, key) ? (key as SubscribeField) : undefined;
  const text = field
    ? `<a href="#${SUBSCRIBE_FIELDS[field].target}">${e(SUBSCRIBE_FIELDS[field].label)}</a>: ${e(reason.slice(colon + 2))}.`
    : 'The form could not be read. Please try again.';
  return {
    html: `<div class="error" role="alert" id="form-error">\n<h2>Please check the form</h2>\n<p>${text}</p>\n<p class="hint">Reason: <code>${e(reason)}</code></p>\n</div>\n`,
    ...(field ? { field } : {}),
  };
}

/**
 * GET /subscribe: the subscription form, plain HTML that works without JavaScript. It posts
 * (urlencoded) to POST /subscribe, which answers with the "check your inbox" page, or with
 * this form again, the reason on top and the values kept (400), when a field is wrong. The
 * `website` honeypot is off-screen, hidden from assistive technology, out of the tab order
 * and never autofilled.
 *
 * @example
 * ```ts
 * subscribePage(branding).statusCode; // 200
 * subscribePage(branding, { error: 'email: not a valid address', values: request.fields }).statusCode; // 400
 * ```
 */
export function subscribePage(branding: Branding, state: SubscribeFormState = {}): Page {
  const error = state.error === undefined ? undefined : subscribeError(state.error);
  /** A control's description (its hint, and the error when the error is about it). */
  const described = (field: SubscribeField, hint?: string): string => {
    const ids = [...(error?.field === field ? ['form-error'] : []), ...(hint ? [hint] : [])];
    const invalid = error?.field === field ? ' aria-invalid="true"' : '';
    return `${ids.length > 0 ? ` aria-describedby="${ids.join(' ')}"` : ''}${invalid}`;
  };
  const value = (field: SubscribeField): string => e(sent(state.values, field));
  const chosen = (field: 'newsletter' | 'alerts', fallback: string): string => sent(state.values, field).trim().toLowerCase() || fallback;
  const postedHour = /^\s*\d{1,2}\s*$/.test(sent(state.values, 'alertHour')) ? Number(sent(state.values, 'alertHour')) : undefined;
  return {
    statusCode: error ? 400 : 200,
    html: layout(branding, {
      title: error ? 'Subscribe: please check the form' : 'Subscribe',
      body: `<h1>Subscribe to ${e(branding.siteName)}</h1>
${error?.html ?? ''}<p>Get our newsletter by email, and alerts when a story matches your keywords.</p>
<form method="post" action="subscribe">
<div class="field">
<label for="email">Email address</label>
<input type="email" id="email" name="email" value="${value('email')}" required maxlength="254" autocomplete="email" spellcheck="false"${described('email')}>
</div>
<div class="field">
<label for="name">Name <span class="hint">(optional)</span></label>
<input type="text" id="name" name="name" value="${value('name')}" maxlength="200" autocomplete="name"${described('name')}>
</div>
<fieldset${described('newsletter')}>
<legend>Newsletter</legend>
${radios('newsletter', NEWSLETTER_LABELS, chosen('newsletter', Newsletter.DAILY))}
</fieldset>
<fieldset${described('alerts')}>
<legend>Alerts for your keywords</legend>
${radios('alerts', ALERT_LABELS, chosen('alerts', AlertCadence.NONE))}
</fieldset>
<div class="field">
<label for="keywords">Keywords <span class="hint">(for alerts)</span></label>
<input type="text" id="keywords" name="keywords" value="${value('keywords')}" maxlength="2000"${described('keywords', 'keywords-hint')}>
<p class="hint" id="keywords-hint">Separate keywords with commas, for example: energy, Armenia, elections.</p>
</div>
<div class="field">
<label for="alertHour">Delivery hour of daily and weekly alerts</label>
<select id="alertHour" name="alertHour"${described('alertHour', 'alertHour-hint')}>
${hourOptions(postedHour)}
</select>
<p class="hint" id="alertHour-hint">In your time zone below (UTC when none is given).</p>
</div>
<div class="field">
<label for="timezone">Time zone <span class="hint">(optional)</span></label>
<input type="text" id="timezone" name="timezone" value="${value('timezone')}" maxlength="64" autocomplete="off" spellcheck="false"${described('timezone', 'timezone-hint')}>
<p class="hint" id="timezone-hint">Where you read us, as a time zone name such as Europe/Amsterdam or Asia/Yerevan.</p>
</div>
<div class="hp" aria-hidden="true">
<label for="${HONEYPOT_FIELD}">Leave this field empty</label>
<input type="text" id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" value="" tabindex="-1" autocomplete="off">
</div>
<p class="hint field" id="privacy">We send you a message with a confirmation link first: nothing else is sent until you follow it. We use your address only to send what you choose here. Every message has a link to change your preferences or to unsubscribe.</p>
<button type="submit">Subscribe</button>
</form>
${backToSite(branding)}`,
    }),
  };
}

/**
 * GET /unsubscribe: one button, never unsubscribes by itself (mail scanners follow links).
 * The link of an alert digest stops keyword alerts only; its page also offers stopping
 * everything (`everythingToken`, a fresh unsubscribe-all token).
 *
 * @example
 * ```ts
 * unsubscribePromptPage(branding, token).statusCode; // 200
 * unsubscribePromptPage(branding, alertsToken, { everythingToken }); // two buttons
 * ```
 */
export function unsubscribePromptPage(branding: Branding, token: string, options: { everythingToken?: string } = {}): Page {
  if (options.everythingToken !== undefined) {
    return {
      statusCode: 200,
      html: layout(branding, {
        title: 'Stop keyword alerts',
        body: `<h1>Stop keyword alerts</h1>
<p>Do you want to stop the keyword alerts from ${e(branding.siteName)}? Your newsletter, if you receive one, continues.</p>
<form method="post" action="unsubscribe?token=${e(encodeURIComponent(token))}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Stop keyword alerts</button>
</form>
<h2 id="everything-heading">Stop everything</h2>
<p>Or stop every newsletter and alert to this address.</p>
<form method="post" action="unsubscribe?token=${e(encodeURIComponent(options.everythingToken))}" aria-labelledby="everything-heading">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit" class="secondary">Unsubscribe from everything</button>
</form>
${backToSite(branding)}`,
      }),
    };
  }
  return {
    statusCode: 200,
    html: layout(branding, {
      title: 'Unsubscribe',
      body: `<h1>Unsubscribe</h1>
<p>Do you want to stop receiving every newsletter and alert from ${e(branding.siteName)}?</p>
<form method="post" action="unsubscribe?token=${e(encodeURIComponent(token))}">
<input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button>
</form>
${backToSite(branding)}`,
    }),
  };
}

/**
 * After unsubscribing (also the answer to an RFC 8058 one-click POST).
 *
 * @example
 * ```ts
 * unsubscribedPage(branding).statusCode; // 200
 * ```
 */
export function unsubscribedPage(branding: Branding, options: { alertsOnly?: boolean } = {}): Page {
  if (options.alertsOnly) {
    return {
      statusCode: 200,
      html: layout(branding, {
        title: 'Keyword alerts stopped',
        body: `<h1>Keyword alerts stopped</h1>\n${paragraphs(
          'You will not receive any more keyword alerts from us. Your newsletter, if you receive one, continues.',
          'Every message has a link to change your preferences.',
        )}\n${backToSite(branding)}`,
      }),
    };
  }
  return {
    statusCode: 200,
    html: layout(branding, {
      title: 'You are unsubscribed',
      body: `<h1>You are unsubscribed</h1>\n${paragraphs(
        'You will not receive any more newsletters or alerts from us.',
        'Changed your mind? You can subscribe again on our site at any time.',
      )}\n${backToSite(branding)}`,
    }),
  };
}

/** Human explanations of the reasons a link is refused. */
function explain(reason: string): { heading: string; text: string } {
  if (reason.includes('expired')) {
    return { heading: 'This link has expired', text: 'For your security, links in our messages work for a limited time. Use the link in a more recent message, or subscribe again.' };
  }
  if (reason.includes('already used')) {
    return { heading: 'This link was already used', text: 'A confirmation link works once. If you confirmed already, there is nothing more to do.' };
  }
  if (reason.startsWith('token')) {
    return { heading: 'This link is not valid', text: 'The link may be incomplete: copy the whole link from the message into the address bar, or use the link in a more recent message.' };
  }
  return { heading: 'Something is wrong with this request', text: 'Please go back and try again.' };
}

/**
 * A page for a refused request (4xx/5xx): a clear explanation, the reason (4xx only: a 5xx
 * shows no detail of what failed) and the request id to quote to support, when known.
 *
 * @example
 * ```ts
 * errorPage(branding, 400, 'token: expired', 'c6af9ac6-7b61-11e6');
 * ```
 */
export function errorPage(branding: Branding, statusCode: number, reason: string, requestId?: string): Page {
  let heading: string;
  let text: string;
  if (statusCode === 404 && reason.includes('subscription')) {
    heading = 'Subscription not found';
    text = 'We could not find a subscription for this link. It may have been removed.';
  } else if (statusCode === 404) {
    heading = 'Page not found';
    text = 'There is no page at this address. Check the link, or start from the archive index.';
  } else if (statusCode === 429) {
    heading = 'Too many requests';
    text = 'Please wait a while and try again.';
  } else if (statusCode >= 500) {
    heading = 'Something went wrong';
    text = 'This is our fault. Please try again in a few minutes.';
  } else {
    ({ heading, text } = explain(reason));
  }
  const detail = statusCode < 500 ? `\n<p class="hint">Reason: <code>${e(reason)}</code></p>` : '';
  const id = requestId ? `\n<p class="hint">Request id: <code>${e(requestId)}</code></p>` : '';
  return {
    statusCode,
    html: layout(branding, { title: heading, body: `<h1>${e(heading)}</h1>\n${paragraphs(text)}${detail}${id}\n${backToSite(branding)}` }),
  };
}
