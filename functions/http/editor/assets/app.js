// The editors' console: signs in (OAuth 2.0 authorization code with PKCE, against Cognito's
// hosted UI on AWS or the local issuer), then drives the editors' API with the access token in
// an Authorization header. No framework; every text goes in with textContent, never as HTML.
// The token lives in this tab's sessionStorage only: no cookie, so no cross-site request can
// carry it.
'use strict';

(() => {
  const app = document.getElementById('app');
  if (!app) return;
  const cfg = app.dataset;
  const TOKEN_KEY = 'editors.token';
  const PKCE_KEY = 'editors.pkce';
  const REFRESH_MS = 3000;

  /** @type {(id: string) => any} */
  const $ = (id) => document.getElementById(id);
  const state = { me: undefined, editions: [], selected: undefined, preview: undefined, busy: false };

  // ---- small helpers -------------------------------------------------------------------

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === false) continue;
      if (key === 'text') node.textContent = String(value);
      else if (key === 'on') for (const [event, handler] of Object.entries(value)) node.addEventListener(event, handler);
      else node.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children) if (child !== undefined && child !== null) node.append(child);
    return node;
  }

  function say(text, error = false) {
    const status = $('status');
    status.textContent = text;
    status.classList.toggle('error', error);
  }

  const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const random = (n) => b64url(crypto.getRandomValues(new Uint8Array(n)));
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '');
  const isEditor = () => Boolean(state.me && state.me.scopes.includes('editor'));

  // ---- sign-in -------------------------------------------------------------------------

  async function signIn() {
    const verifier = random(32);
    const stateValue = random(16);
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
    sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state: stateValue }));
    const url = new URL(cfg.authorizeUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: cfg.clientId,
      redirect_uri: cfg.redirectUri,
      scope: cfg.scope,
      state: stateValue,
      code_challenge: b64url(new Uint8Array(digest)),
      code_challenge_method: 'S256',
    }).toString();
    say('Signing in…');
    location.assign(url.toString());
  }

  async function finishSignIn(params) {
    history.replaceState(null, '', location.pathname);
    const pkce = JSON.parse(sessionStorage.getItem(PKCE_KEY) || 'null');
    sessionStorage.removeItem(PKCE_KEY);
    if (params.get('error')) throw new Error(`sign-in refused: ${params.get('error_description') || params.get('error')}`);
    if (!pkce || params.get('state') !== pkce.state) throw new Error('sign-in answer does not match this tab: sign in again');
    const response = await fetch(cfg.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', client_id: cfg.clientId, code: params.get('code') || '', redirect_uri: cfg.redirectUri, code_verifier: pkce.verifier }),
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok || !body.access_token) throw new Error(`sign-in failed: ${body.error_description || body.error || response.status}`);
    sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ accessToken: body.access_token, expiresAt: Date.now() + Number(body.expires_in || 3600) * 1000 }));
  }

  function token() {
    const stored = JSON.parse(sessionStorage.getItem(TOKEN_KEY) || 'null');
    return stored && stored.expiresAt > Date.now() + 30_000 ? stored.accessToken : undefined;
  }

  function signOut() {
    sessionStorage.clear();
    const url = new URL(cfg.logoutUrl);
    url.search = new URLSearchParams({ client_id: cfg.clientId, logout_uri: cfg.redirectUri }).toString();
    location.assign(url.toString());
  }

  // ---- the API -------------------------------------------------------------------------

  async function api(method, path, body) {
    const accessToken = token();
    if (!accessToken) {
      await signIn();
      throw new Error('signing in again');
    }
    const response = await fetch(path, {
      method,
      cache: 'no-store',
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json', ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const data = await response.json().catch(() => ({}));
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      await signIn();
      throw new Error('your sign-in expired: signing in again');
    }
    if (!response.ok) {
      const error = new Error(response.status === 403 ? 'you need the editor role for this' : data.error || data.message || `HTTP ${response.status}`);
      error.status = response.status;
      throw error;
    }
    return data;
  }

  /** Runs an action once at a time (a double click does nothing), and says what went wrong. */
  async function action(button, work) {
    if (state.busy) return;
    state.busy = true;
    if (button) button.disabled = true;
    try {
      await work();
    } catch (error) {
      say(String(error.message || error), true);
    } finally {
      state.busy = false;
      if (button) button.disabled = false;
    }
  }

  // ---- editions ------------------------------------------------------------------------

  const done = (e) => e.counts.sent + e.counts.failed + e.counts.skipped + e.counts.cancelled;

  async function loadEditions() {
    const { editions } = await api('GET', '/editor/api/editions');
    state.editions = editions;
    const body = $('editions').tBodies[0];
    body.replaceChildren(
      ...editions.map((e) =>
        el(
          'tr',
          { class: state.selected === e.id ? 'selected' : undefined },
          el('td', {}, el('button', { type: 'button', class: 'link', text: e.id, 'aria-label': `Show edition ${e.id}`, on: { click: () => select(e.id) } }), e.subject ? el('div', { class: 'hint', text: e.subject }) : undefined),
          el('td', {}, e.state, e.stalled ? el('div', { class: 'warn', text: 'stalled' }) : undefined, ...(e.warnings || []).map((w) => el('div', { class: 'warn', text: w }))),
          el('td', {}, el('progress', { max: Math.max(1, e.total), value: done(e), 'aria-label': `${e.id}: ${done(e)} of ${e.total}` })),
          el('td', { class: 'num', text: e.counts.sent }),
          el('td', { class: 'num', text: e.counts.failed }),
          el('td', { class: 'num', text: e.counts.cancelled }),
          el('td', { text: e.rate ? `${e.rate}/s · ${e.etaSeconds ?? '?'} s` : '' }),
        ),
      ),
    );
    if (state.selected) await showDetail();
  }

  function select(id) {
    state.selected = id;
    return action(undefined, async () => {
      await showDetail();
      $('detail').hidden = false;
      $('detail-h').scrollIntoView({ block: 'nearest' });
      await loadEditions();
    });
  }

  async function showDetail() {
    const e = await api('GET', `/editor/api/editions/${encodeURIComponent(state.selected)}`);
    $('detail-id').textContent = e.id;
    $('detail-state').textContent = e.state;
    $('detail-stalled').hidden = !e.stalled;
    $('detail-progress').max = Math.max(1, e.total);
    $('detail-progress').value = done(e);
    const c = e.counts;
    $('detail-counts').textContent =
      `${c.sent} sent, ${c.failed} failed, ${c.cancelled} cancelled, ${c.skipped} skipped, ${c.sending} sending, ${c.pending} pending of ${e.total}` +
      (e.rate ? ` · ${e.rate} per second, about ${e.etaSeconds} s left` : '') +
      (e.reason ? ` · ${e.reason}` : '');
    $('cancel-edition').disabled = !(e.state === 'sending' || e.state === 'held');
    $('resend-failed').disabled = !((e.state === 'sent' || e.state === 'sending') && c.failed > 0);
    $('resume-edition').disabled = !(e.state === 'building' || e.state === 'sending');
    await showStats();
  }

  // ---- analytics -----------------------------------------------------------------------

  async function showStats() {
    const s = await api('GET', `/editor/api/editions/${encodeURIComponent(state.selected)}/stats`);
    const c = s.counters;
    $('stats-warnings').hidden = s.warnings.length === 0;
    $('stats-warnings').textContent = s.warnings.map((w) => `Warning: ${w}`).join(' · ');
    $('funnel').tBodies[0].replaceChildren(
      ...s.funnel.map((f) =>
        el('tr', { class: `step-${f.step}` },
          el('th', { scope: 'row', text: f.step }),
          el('td', { class: 'num', text: f.count }),
          el('td', { class: 'num', text: `${(f.share * 100).toFixed(1)}%` }),
          el('td', {}, el('meter', { min: 0, max: 1, value: f.share, 'aria-label': `${f.step}: ${(f.share * 100).toFixed(1)}% of sent` })),
        ),
      ),
    );
    $('stats-problems').textContent =
      `Bounced ${c.bouncedPermanent + c.bouncedTransient} (${c.bouncedPermanent} permanent, ${c.bouncedTransient} transient) · ` +
      `complaints ${c.complained} · rejected ${c.rejected} · delayed ${c.delayed} · ` +
      `bounce rate ${(s.rates.bounce * 100).toFixed(1)}%, complaint rate ${(s.rates.complaint * 100).toFixed(2)}%`;
    $('top-links').tBodies[0].replaceChildren(
      ...(s.links.length > 0
        ? s.links.map((l) => el('tr', {}, el('td', { class: 'link-url', text: l.url }), el('td', { class: 'num', text: l.clicks })))
        : [el('tr', {}, el('td', { colspan: 2, class: 'hint', text: 'No clicks recorded (click tracking is a per-job setting, off by default).' }))]),
    );
    // The chart is SVG the server drew (its texts escaped there), parsed as SVG: nothing in it runs.
    const svg = new DOMParser().parseFromString(s.chart, 'image/svg+xml').documentElement;
    $('stats-chart').replaceChildren(document.importNode(svg, true));
  }

  // ---- preview and picks ---------------------------------------------------------------

  function setWidth() {
    const width = document.querySelector('input[name=width]:checked').value;
    $('preview-frame').width = width;
  }

  function showPreview(preview) {
    state.preview = preview;
    $('preview-box').hidden = false;
    $('preview-subject').textContent = preview.subject;
    $('preview-meta').textContent = `${preview.editionId}${preview.next ? ' (next edition)' : ` (${preview.state})`} · for ${preview.recipient.name || ''} <${preview.recipient.email}> · content ${preview.contentHash}`;
    $('preview-frame').srcdoc = preview.html;
    setWidth();
    $('picks-box').hidden = !preview.next;
    if (preview.next) renderPicks();
  }

  /** Renders the next edition of the chosen job; `quiet` leaves the status line as it is. */
  async function loadPreview(quiet = false) {
    const job = $('job').value;
    if (!quiet) say(`Rendering the next ${job} edition…`);
    try {
      showPreview(await api('GET', `/editor/api/jobs/${job}/preview`));
      if (!quiet) say(`Preview of the next ${job} edition.`);
    } catch (error) {
      $('preview-box').hidden = true;
      $('picks-box').hidden = true;
      state.preview = undefined;
      if (!quiet || error.status !== 404) say(error.status === 404 ? `Nothing to preview: ${error.message}` : String(error.message), error.status !== 404);
    }
  }

  function renderPicks() {
    const { picks, candidates, override, overrideActive } = state.preview;
    const ids = picks.map((p) => p.id);
    $('picks').replaceChildren(
      ...picks.map((p, i) =>
        el(
          'li',
          { 'data-id': p.id },
          el('span', { class: 'story' }, p.headline, el('small', { text: `${p.section}${p.pinned ? ' · ' : ''}` }, p.pinned ? el('span', { class: 'pinned', text: 'pinned' }) : undefined)),
          el(
            'span',
            { class: 'actions editor-only' },
            el('button', { type: 'button', class: 'small secondary', text: 'Move to top', disabled: i === 0, 'aria-label': `Move “${p.headline}” to the top`, on: { click: () => movePick(ids, i, 0, p.id) } }),
            el('button', { type: 'button', class: 'small secondary', text: 'Up', disabled: i === 0, 'aria-label': `Move “${p.headline}” up`, on: { click: () => movePick(ids, i, i - 1, p.id) } }),
            el('button', { type: 'button', class: 'small secondary', text: 'Down', disabled: i === ids.length - 1, 'aria-label': `Move “${p.headline}” down`, on: { click: () => movePick(ids, i, i + 1, p.id) } }),
            el('button', { type: 'button', class: 'small secondary', text: 'Take out', 'aria-label': `Take “${p.headline}” out of the editor's choice`, on: { click: () => savePicks(ids.filter((id) => id !== p.id), [p.id]) } }),
          ),
        ),
      ),
    );
    $('candidates').replaceChildren(
      ...candidates.map((c) =>
        el(
          'li',
          {},
          el('span', { class: 'story' }, c.headline, el('small', { text: c.section })),
          el('button', { type: 'button', class: 'small secondary editor-only', text: 'Pin to the top', 'aria-label': `Pin “${c.headline}” to the top of the editor's choice`, on: { click: () => savePicks([c.id, ...ids], [], c.id) } }),
        ),
      ),
    );
    const unpinned = overrideActive && override ? override.unpinned : [];
    $('unpinned').replaceChildren(
      ...(unpinned.length
        ? [`${unpinned.length} taken out of the editor's choice. `, el('button', { type: 'button', class: 'link editor-only', text: 'Put them back', on: { click: () => savePicks(ids, [], undefined, true) } })]
        : []),
    );
  }

  function movePick(ids, from, to, id) {
    const order = [...ids];
    const [moved] = order.splice(from, 1);
    order.splice(to, 0, moved);
    return savePicks(order, [], id);
  }

  /** Saves the whole order as pinned, adds `unpin` to the picks taken out (or clears them), then renders the preview again. */
  function savePicks(pinned, unpin, focusId, restore = false) {
    const { override, overrideActive } = state.preview;
    const unpinned = restore ? [] : [...new Set([...(overrideActive && override ? override.unpinned : []), ...unpin])].filter((id) => !pinned.includes(id));
    return action(undefined, async () => {
      await api('PUT', `/editor/api/jobs/${$('job').value}/picks`, { pinned, unpinned, version: String(override ? override.version : 0) });
      showPreview(await api('GET', `/editor/api/jobs/${$('job').value}/preview`));
      say('Editor\'s choice saved for the next edition.');
      await loadAudit();
      const item = focusId && document.querySelector(`#picks li[data-id="${CSS.escape(focusId)}"] button:not([disabled])`);
      (item || $('picks-h')).focus?.();
    });
  }

  // ---- test send and send now ----------------------------------------------------------

  function testSend(event) {
    event.preventDefault();
    const button = event.submitter || $('test-form').querySelector('button');
    return action(button, async () => {
      const job = $('job').value;
      const body = { to: $('test-to').value, ...(state.preview && state.preview.next && state.preview.to ? { periodEnd: state.preview.to } : {}) };
      const result = await api('POST', `/editor/api/jobs/${job}/test`, body);
      const refused = result.sent.filter((s) => s.error);
      say(`Test sent to ${result.sent.length - refused.length} address(es): “${result.subject}”${refused.length ? `; refused: ${refused.map((s) => `${s.to} (${s.error})`).join(', ')}` : ''}.`, refused.length > 0);
      await loadAudit();
    });
  }

  function dryRun() {
    const button = $('dry-run');
    return action(button, async () => {
      const job = $('job').value;
      const intent = await api('POST', `/editor/api/jobs/${job}/send`);
      $('confirm-send-text').textContent = `${intent.confirmation}?`;
      $('confirm-send-detail').textContent = `Edition ${intent.editionId} (${intent.kind}) · content ${intent.contentHash} · this offer expires at ${time(intent.expiresAt)}.`;
      const dialog = $('confirm-send');
      dialog.dataset.intent = JSON.stringify({ id: intent.id, total: intent.total, hash: intent.contentHash, edition: intent.editionId });
      dialog.returnValue = '';
      dialog.showModal();
      say('Dry run done: nothing is sent until you confirm.');
      await loadAudit();
    });
  }

  function confirmSend() {
    const dialog = $('confirm-send');
    if (dialog.returnValue !== 'confirm') {
      say('Not sent.');
      return loadAudit();
    }
    const intent = JSON.parse(dialog.dataset.intent || '{}');
    return action($('dry-run'), async () => {
      const result = await api('POST', `/editor/api/intents/${encodeURIComponent(intent.id)}/confirm`, { count: String(intent.total), hash: intent.hash });
      say(result.message);
      state.selected = result.edition;
      $('detail').hidden = false;
      await loadEditions();
      await loadAudit();
      // What was previewed is on its way: the next edition starts from here.
      await loadPreview(true);
    });
  }

  function cancelEdition() {
    $('confirm-cancel-id').textContent = state.selected;
    $('confirm-cancel').returnValue = '';
    $('confirm-cancel').showModal();
  }

  function confirmCancel() {
    if ($('confirm-cancel').returnValue !== 'cancel') return undefined;
    return action($('cancel-edition'), async () => {
      say(`Cancelling ${state.selected}…`);
      const result = await api('POST', `/editor/api/editions/${encodeURIComponent(state.selected)}/cancel`);
      say(`Cancelled ${result.edition}: from ${time(result.acknowledgedAt)} on, no message of it goes out.`);
      await loadEditions();
      await loadAudit();
    });
  }

  const editionAction = (button, path, message) =>
    action(button, async () => {
      const result = await api('POST', `/editor/api/editions/${encodeURIComponent(state.selected)}/${path}`);
      say(message(result));
      await loadEditions();
      await loadAudit();
    });

  // ---- audit log and quarantine ----------------------------------------------------------

  async function loadAudit() {
    const { records } = await api('GET', '/editor/api/audit?limit=50');
    $('audit').tBodies[0].replaceChildren(
      ...records.map((r) =>
        el(
          'tr',
          {},
          el('td', { text: time(r.at) }),
          el('td', { text: r.actor }),
          el('td', {}, r.action, r.detail ? el('div', { class: 'hint', text: r.detail }) : undefined),
          el('td', { text: r.edition || r.job || '' }),
          el('td', { text: Object.entries(r.counts || {}).map(([k, v]) => `${k} ${v}`).join(', ') }),
        ),
      ),
    );
  }

  async function loadQuarantine() {
    const { records } = await api('GET', '/editor/api/quarantine');
    $('quarantine').tBodies[0].replaceChildren(
      ...(records.length ? records.map((q) => el('tr', {}, el('td', { text: time(q.at) }), el('td', { text: q.key }), el('td', { text: q.reason }))) : [el('tr', {}, el('td', { colspan: 3, text: 'Nothing in quarantine.' }))]),
    );
  }

  // ---- start ---------------------------------------------------------------------------

  async function boot() {
    const params = new URLSearchParams(location.search);
    if (params.has('code') || params.has('error')) await finishSignIn(params);
    if (!token()) return signIn();
    state.me = await api('GET', '/editor/api/me');
    $('who').textContent = `Signed in as ${state.me.username} (${isEditor() ? 'editor' : 'viewer'})`;
    document.body.classList.toggle('viewer', !isEditor());
    $('sign-out').hidden = false;
    say('Signed in.');
    await Promise.all([loadEditions(), loadAudit(), loadQuarantine()]);
    await loadPreview();
    setInterval(() => {
      if (document.visibilityState === 'visible' && !state.busy) loadEditions().catch((error) => say(String(error.message), true));
    }, REFRESH_MS);
  }

  $('sign-out').addEventListener('click', signOut);
  $('cli-endpoint').textContent = new URL(cfg.redirectUri).origin;
  $('show-token').addEventListener('click', () => {
    $('cli-token').value = token() || '';
    $('cli-token').hidden = false;
    $('cli-token-label').hidden = false;
    $('cli-token').select();
  });
  $('job-form').addEventListener('submit', (event) => {
    event.preventDefault();
    loadPreview();
  });
  $('job').addEventListener('change', () => loadPreview());
  for (const radio of document.querySelectorAll('input[name=width]')) radio.addEventListener('change', setWidth);
  $('test-form').addEventListener('submit', testSend);
  $('dry-run').addEventListener('click', dryRun);
  $('confirm-send').addEventListener('close', confirmSend);
  $('cancel-edition').addEventListener('click', cancelEdition);
  $('confirm-cancel').addEventListener('close', confirmCancel);
  $('resend-failed').addEventListener('click', () => editionAction($('resend-failed'), 'resend-failed', (r) => `${r.requeued} failed recipient(s) of ${r.edition} queued again.`));
  $('resume-edition').addEventListener('click', () => editionAction($('resume-edition'), 'resume', (r) => `${r.edition} resumed (${r.requeued} re-queued${r.restarted ? ', edition function started again' : ''}).`));
  $('preview-edition').addEventListener('click', () =>
    action($('preview-edition'), async () => {
      showPreview(await api('GET', `/editor/api/editions/${encodeURIComponent(state.selected)}/preview`));
      say(`Preview of ${state.selected}, as sent.`);
      $('preview-box').scrollIntoView({ block: 'nearest' });
    }),
  );

  boot().catch((error) => say(String(error.message || error), true));
})();
