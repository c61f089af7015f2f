/**
 * The per-recipient path: token replacement with escaping and the raw MIME of one message,
 * checked with a standard MIME parser (mailparser) against the rendered artefact.
 */
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { personalize, prepareMessage, type Recipient } from '../../../functions/core/rendering/personalizer.ts';
import { encodeHeaderWord } from '../../../functions/core/rendering/mime.ts';
import { Token, type RenderedEdition } from '../../../functions/core/editions/types.ts';

const HEADERS = { fromName: 'CommonSpace Digest', fromAddress: 'digest@example.com', subject: 'unused', listId: 'digest.example.com', messageIdDomain: 'example.com' };

function artefact(overrides: Partial<RenderedEdition> = {}): RenderedEdition {
  // A long body with non-ASCII text, long lines, '=' signs and trailing spaces around tokens.
  const story = '<p style="margin:0">Ереван — Երևան — თბილისი: “quotes” &amp; café = 100% </p>\n';
  return {
    editionId: 'daily-2026-11-28',
    subject: 'CommonSpace Digest: Ереван talks +3 more',
    preheader: 'pre',
    html: `<!doctype html><html lang="en"><body><p>Hello ${Token.NAME},</p>${story.repeat(200)}<a href="${Token.UNSUBSCRIBE_URL}">Unsubscribe</a> <a href="${Token.PREFERENCES_URL}">Preferences</a> <a href="${Token.WEB_VIEW_URL}">View</a></body></html>`,
    text: `Hello ${Token.NAME},\n\n${'Ереван — café = 100%   \n'.repeat(50)}\nUnsubscribe: ${Token.UNSUBSCRIBE_URL}\nPreferences: ${Token.PREFERENCES_URL}\n`,
    language: 'en',
    tokens: Object.values(Token),
    shown: 4,
    omitted: 0,
    ...overrides,
  };
}

function recipient(overrides: Partial<Recipient> = {}): Recipient {
  return {
    email: 'ann@example.com',
    name: 'Ann',
    unsubscribeUrl: 'https://api.example.com/unsubscribe?token=abc.def&x=1',
    preferencesUrl: 'https://api.example.com/preferences?token=ghi.jkl',
    webViewUrl: 'https://archive.example.com/editions/daily-2026-11-28.html',
    ...overrides,
  };
}

const META = { subscriberId: 's_1', date: new Date('2026-11-28T06:00:00Z'), messageIdDomain: 'example.com' };

function expected(body: string, r: Recipient, html: boolean): string {
  const esc = (s: string) => (html ? s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;') : s);
  return body
    .replaceAll(Token.NAME, esc(r.name ?? 'reader'))
    .replaceAll(Token.UNSUBSCRIBE_URL, esc(r.unsubscribeUrl))
    .replaceAll(Token.PREFERENCES_URL, esc(r.preferencesUrl))
    .replaceAll(Token.WEB_VIEW_URL, esc(r.webViewUrl));
}

describe('Function: personalize', () => {
  it('builds a multipart/alternative message whose parts decode to the artefact with tokens replaced', async () => {
    // Prepare
    const rendered = artefact();
    const template = prepareMessage(rendered, HEADERS);
    const r = recipient();

    // Act
    const raw = personalize(template, r, META);
    const mail = await simpleParser(raw);

    // Assess
    expect(mail.headers.get('content-type')).toMatchObject({ value: 'multipart/alternative' });
    expect(mail.subject).toBe(rendered.subject);
    expect(mail.text).toBe(expected(rendered.text, r, false).replace(/\r\n/g, '\n'));
    expect(mail.html).toBe(expected(rendered.html, r, true));
    expect(raw).toContain('\r\nList-Unsubscribe: <https://api.example.com/unsubscribe?token=abc.def&x=1>\r\n');
    expect(raw).toContain('\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    expect(mail.messageId).toBe('<daily-2026-11-28.s_1@example.com>');
    expect(raw).not.toContain('%%{');
  });

  it('keeps every line within the limits of 7-bit MIME', () => {
    // Prepare
    const template = prepareMessage(artefact(), HEADERS);

    // Act
    const raw = personalize(template, recipient({ name: 'Дави́т Ünal' }), META);

    // Assess
    expect(/^[\x00-\x7f]*$/.test(raw)).toBe(true);
    const body = raw.slice(raw.indexOf('\r\n\r\n'));
    for (const line of body.split('\r\n')) expect(line.length).toBeLessThanOrEqual(76);
    expect(raw.split('\n').every((l) => l.endsWith('\r') || l === '')).toBe(true);
  });

  it('escapes values in the HTML part and never lets a name inject a header', async () => {
    // Prepare
    const template = prepareMessage(artefact(), HEADERS);
    const r = recipient({ name: '<script>x</script>\r\nBcc: evil@example.net' });

    // Act
    const raw = personalize(template, r, META);
    const mail = await simpleParser(raw);

    // Assess
    expect(mail.headers.has('bcc')).toBe(false);
    expect(raw).not.toMatch(/^Bcc:/im);
    expect(mail.html).toContain('Hello &lt;script&gt;x&lt;/script&gt; Bcc: evil@example.net,');
    expect(mail.html).not.toContain('<script>');
    expect(mail.text).toContain('Hello <script>x</script> Bcc: evil@example.net,');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : undefined).toBe('ann@example.com');
  });

  it('encodes a non-ASCII display name and falls back to a greeting without one', async () => {
    // Prepare
    const template = prepareMessage(artefact(), HEADERS);

    // Act
    const named = await simpleParser(personalize(template, recipient({ name: 'Դավիթ' }), META));
    const anonymous = await simpleParser(personalize(template, recipient({ name: undefined }), META));

    // Assess
    expect(named.to && !Array.isArray(named.to) ? named.to.value[0]?.name : undefined).toBe('Դավիթ');
    expect(anonymous.text).toMatch(/^Hello reader,/);
  });

  it('gives each recipient their own links and nothing of another recipient', () => {
    // Prepare
    const template = prepareMessage(artefact(), HEADERS);

    // Act
    const a = personalize(template, recipient({ email: 'a@example.com', unsubscribeUrl: 'https://api.example.com/u?token=AAA' }), META);
    const b = personalize(template, recipient({ email: 'b@example.com', unsubscribeUrl: 'https://api.example.com/u?token=BBB' }), { ...META, subscriberId: 's_2' });

    // Assess
    expect(a).toContain('token=AAA');
    expect(a).not.toContain('token=BBB');
    expect(b).toContain('token=BBB');
    expect(b).not.toContain('a@example.com');
  });
});

describe('Function: personalize (token values written by hand)', () => {
  it.each([
    ['equals signs on every wrap position', `https://api.example.com/unsubscribe?token=${'a=b'.repeat(60)}`],
    ['a hyphen where a line would start', `https://api.example.com/preferences?token=${'x'.repeat(31)}-${'y'.repeat(74)}-${'z'.repeat(80)}`],
    ['escapes straddling the line end', `https://api.example.com/u?t=${'a'.repeat(44)}==${'b'.repeat(70)}=`],
    ['an escape two characters from the line end', `${'a'.repeat(73)}=${'b'.repeat(100)}`],
    ['an escape one character from the line end', `${'a'.repeat(74)}=${'b'.repeat(100)}`],
    ['a value of one hyphen', '-'],
  ])('keeps %s decodable, every escape whole, every line at most 76 characters and none opening with a hyphen', async (_, url) => {
    // Prepare
    const rendered = artefact();
    const template = prepareMessage(rendered, HEADERS);
    const r = recipient({ unsubscribeUrl: url, preferencesUrl: url, webViewUrl: url });

    // Act
    const raw = personalize(template, r, META);
    const parsed = await simpleParser(raw);

    // Assess
    const body = raw.slice(raw.indexOf('\r\n\r\n') + 4);
    const lines = body.split('\r\n');
    expect(lines.every((l) => l.length <= 76)).toBe(true);
    expect(lines.filter((l) => l.startsWith('-') && !l.startsWith('--=_digest_'))).toEqual([]);
    // Every escape whole on its line (lenient decoders would hide one split by a soft break).
    const parts = body.split(/^--=_digest_.*$/m).slice(1, 3).flatMap((part) => part.slice(part.indexOf('\r\n\r\n') + 4).split('\r\n'));
    expect(parts.filter((l) => !/^(?:[^=]|=[0-9A-F]{2})*=?$/.test(l))).toEqual([]);
    expect(parsed.text).toBe(expected(rendered.text, r, false));
    expect(parsed.html).toBe(expected(rendered.html, r, true));
  });
});

describe('Function: encodeHeaderWord', () => {
  it('leaves ASCII alone and encodes the rest as RFC 2047 words that round-trip', async () => {
    // Prepare
    const long = 'Ереван, Тбилиси и Баку: неделя переговоров на Южном Кавказе';

    // Act
    const plain = encodeHeaderWord('Daily digest');
    const encoded = encodeHeaderWord(long);
    const parsed = await simpleParser(`Subject: ${encoded}\r\n\r\nx`);

    // Assess
    expect(plain).toBe('Daily digest');
    expect(encoded).toMatch(/^=\?UTF-8\?B\?/);
    expect(encoded.split('\r\n').every((l) => l.length <= 76)).toBe(true);
    expect(parsed.subject).toBe(long);
  });
});
