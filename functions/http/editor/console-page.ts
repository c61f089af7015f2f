/**
 * The editors' console page (GET /editor): server-rendered HTML with the sign-in settings in
 * data attributes, plus its script and stylesheet as files (assets/app.js, assets/app.css)
 * served by the same function, so that the Content-Security-Policy allows scripts from this
 * origin only: no inline script, no inline event handler. The script signs in (OAuth 2.0
 * authorization code with PKCE, as Cognito's hosted UI does; the token stays in the tab's
 * sessionStorage, never in a cookie), then fills the page from the editors' API.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { escapeHtml as e } from '../../core/rendering/escape.ts';

/** What the page needs to sign in. */
export interface ConsoleSettings {
  siteName: string;
  /** The OAuth server's endpoints. */
  authorizeUrl: string;
  tokenUrl: string;
  logoutUrl: string;
  clientId: string;
  /** Space-separated scopes asked for. */
  scope: string;
  /** Where the OAuth server sends the editor back: this page. */
  redirectUri: string;
}

/**
 * The page's Content-Security-Policy: scripts and styles from this origin; inline styles
 * only for the previewed email (a sandboxed srcdoc frame inherits this policy); API calls to
 * this origin and the token endpoint's.
 *
 * @example
 * ```ts
 * consolePolicy('https://news.auth.eu-west-1.amazoncognito.com/oauth2/token');
 * ```
 */
export function consolePolicy(tokenUrl: string): string {
  const tokenOrigin = new URL(tokenUrl).origin;
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    'img-src https: http: data:',
    `connect-src 'self' ${tokenOrigin}`,
    "frame-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
  ].join('; ');
}

/**
 * The console's HTML.
 *
 * @example
 * ```ts
 * const html = consolePage(settings);
 * ```
 */
export function consolePage(s: ConsoleSettings): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<title>Editors · ${e(s.siteName)}</title>
<link rel="stylesheet" href="/editor/app.css">
<script src="/editor/app.js" defer></script>
</head>
<body>
<header>
<span class="site">${e(s.siteName)}</span> <span class="tag">Editors</span>
<span id="who" class="who"></span>
<button type="button" id="sign-out" class="secondary" hidden>Sign out</button>
</header>
<main id="app" data-authorize-url="${e(s.authorizeUrl)}" data-token-url="${e(s.tokenUrl)}" data-logout-url="${e(s.logoutUrl)}" data-client-id="${e(s.clientId)}" data-scope="${e(s.scope)}" data-redirect-uri="${e(s.redirectUri)}">
<p id="status" class="status" role="status" aria-live="polite">Signing in…</p>

<section aria-labelledby="editions-h">
<h2 id="editions-h">Editions</h2>
<div class="table-wrap"><table id="editions">
<thead><tr><th scope="col">Edition</th><th scope="col">State</th><th scope="col">Progress</th><th scope="col">Sent</th><th scope="col">Failed</th><th scope="col">Cancelled</th><th scope="col">Rate · ETA</th></tr></thead>
<tbody></tbody>
</table></div>
</section>

<section id="detail" aria-labelledby="detail-h" hidden>
<h2 id="detail-h">Edition <span id="detail-id"></span></h2>
<p>State: <strong id="detail-state"></strong> <span id="detail-stalled" class="warn" hidden>stalled: nothing has moved for 10 minutes</span></p>
<progress id="detail-progress" max="1" value="0" aria-labelledby="detail-h"></progress>
<p id="detail-counts"></p>
<div class="actions editor-only">
<button type="button" id="cancel-edition" class="danger">Cancel sending…</button>
<button type="button" id="resend-failed" class="secondary">Resend to failed</button>
<button type="button" id="resume-edition" class="secondary">Resume</button>
</div>
<div class="actions"><button type="button" id="preview-edition" class="secondary">Preview this edition</button></div>
<div id="stats" aria-labelledby="stats-h">
<h3 id="stats-h">How it did</h3>
<p id="stats-warnings" class="warn" role="alert" hidden></p>
<div class="table-wrap"><table id="funnel">
<thead><tr><th scope="col">Funnel</th><th scope="col" class="num">Recipients</th><th scope="col" class="num">Of sent</th><th scope="col">Share</th></tr></thead>
<tbody></tbody>
</table></div>
<p id="stats-problems" class="hint"></p>
<h3 id="links-h">Top links</h3>
<div class="table-wrap"><table id="top-links" aria-labelledby="links-h">
<thead><tr><th scope="col">Link</th><th scope="col" class="num">Clicks</th></tr></thead>
<tbody></tbody>
</table></div>
<h3 id="chart-h">Sends and deliveries over time</h3>
<div id="stats-chart" class="chart-wrap"></div>
</div>
</section>

<section aria-labelledby="next-h">
<h2 id="next-h">Next edition</h2>
<form id="job-form" class="inline">
<label for="job">Newsletter</label>
<select id="job" name="job"><option value="daily">Daily</option><option value="weekly">Weekly</option></select>
<button type="submit">Preview</button>
</form>
<div id="preview-box" hidden>
<p class="subject"><strong id="preview-subject"></strong><br><span id="preview-meta" class="hint"></span></p>
<fieldset class="widths"><legend>Preview width</legend>
<label><input type="radio" name="width" value="375" checked> Phone (375 px)</label>
<label><input type="radio" name="width" value="1280"> Desktop (1280 px)</label>
</fieldset>
<div class="frame-wrap"><iframe id="preview-frame" title="Preview of the edition as a subscriber gets it" sandbox="" width="375" height="900"></iframe></div>
</div>
<div id="picks-box" hidden>
<h3 id="picks-h">Editor's choice</h3>
<ol id="picks" aria-labelledby="picks-h"></ol>
<h3 id="candidates-h">Other stories of the period</h3>
<ul id="candidates" aria-labelledby="candidates-h"></ul>
<p id="unpinned" class="hint"></p>
</div>
<div class="editor-only">
<h3>Test send</h3>
<form id="test-form" class="inline">
<label for="test-to">Send a test to (up to 5 addresses, separated by commas)</label>
<input id="test-to" name="to" type="text" autocomplete="email" inputmode="email">
<button type="submit">Send test</button>
</form>
<h3>Send now</h3>
<p class="hint">First a dry run: you see what goes to how many subscribers, then you confirm.</p>
<button type="button" id="dry-run">Send now…</button>
</div>
</section>

<section aria-labelledby="audit-h">
<h2 id="audit-h">Audit log</h2>
<div class="table-wrap"><table id="audit">
<thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Edition</th><th scope="col">Counts</th></tr></thead>
<tbody></tbody>
</table></div>
</section>

<section aria-labelledby="quarantine-h">
<h2 id="quarantine-h">Quarantine</h2>
<div class="table-wrap"><table id="quarantine">
<thead><tr><th scope="col">When</th><th scope="col">Object</th><th scope="col">Reason</th></tr></thead>
<tbody></tbody>
</table></div>
</section>

<section aria-labelledby="cli-h">
<h2 id="cli-h">Command line</h2>
<p class="hint">The <code>digest edition …</code> commands take this API's address and your token: <code>--endpoint <span id="cli-endpoint"></span> --token TOKEN</code>. The token is valid until you sign out or it expires.</p>
<button type="button" id="show-token" class="secondary">Show my token</button>
<label for="cli-token" hidden id="cli-token-label">Your access token</label>
<input type="text" id="cli-token" readonly hidden>
</section>

<dialog id="confirm-send" aria-labelledby="confirm-send-h">
<h2 id="confirm-send-h">Confirm the send</h2>
<p id="confirm-send-text"></p>
<p id="confirm-send-detail" class="hint"></p>
<form method="dialog" class="actions">
<button value="cancel" class="secondary">Do not send</button>
<button id="confirm-send-go" value="confirm">Send</button>
</form>
</dialog>

<dialog id="confirm-cancel" aria-labelledby="confirm-cancel-h">
<h2 id="confirm-cancel-h">Cancel sending?</h2>
<p>Stop sending <strong id="confirm-cancel-id"></strong>. Messages already on their way still arrive; nobody else gets this edition.</p>
<form method="dialog" class="actions">
<button value="keep" class="secondary">Keep sending</button>
<button id="confirm-cancel-go" value="cancel" class="danger">Cancel sending</button>
</form>
</dialog>
</main>
</body>
</html>
`;
}

const assetCache = new Map<string, string>();

/**
 * A file of assets/ (the page's script and stylesheet), read once: next to this module when
 * run from the sources, else under the working directory (how the Lambda package lays it out).
 *
 * @example
 * ```ts
 * consoleAsset('app.js');
 * ```
 */
export function consoleAsset(name: 'app.js' | 'app.css'): string {
  const cached = assetCache.get(name);
  if (cached !== undefined) return cached;
  const candidates = [fileURLToPath(new URL(`./assets/${name}`, import.meta.url)), path.resolve(process.cwd(), 'functions/http/editor/assets', name)];
  const found = candidates.find((c) => existsSync(c));
  if (!found) throw new Error(`editor asset ${name} not found (looked in ${candidates.join(', ')})`);
  const body = readFileSync(found, 'utf8');
  assetCache.set(name, body);
  return body;
}
