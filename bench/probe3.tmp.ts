import { renderEdition } from '../functions/core/rendering/email-renderer.ts';
import { makeEdition, makeBranding, EDITION_URL, HEADERS, makeRecipient } from './lib/fixtures.ts';
import { prepareMessage, personalize } from '../functions/core/rendering/personalizer.ts';
import { createHash } from 'node:crypto';
const r = await renderEdition(makeEdition(), { branding: makeBranding(), editionUrl: EDITION_URL });
const tpl = prepareMessage(r, { ...HEADERS, subject: r.subject });
const raws = Array.from({ length: 200 }, (_, i) => personalize(tpl, makeRecipient(i), { subscriberId: 's1', date: new Date(), messageIdDomain: 'x' }));
function ext(str: string) { if (/^[\w.~-]+$/.test(str)) return str; return encodeURIComponent(str).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()); }
const variants: Record<string, (s: string) => unknown> = {
  sdk: (s) => { const b = ext(Buffer.from(s).toString('base64')); createHash('sha256').update(b).digest(); return Buffer.byteLength(b); },
  replaceAll: (s) => { const b = Buffer.from(Buffer.from(s).toString('base64').replaceAll('+', '%2B').replaceAll('/', '%2F').replaceAll('=', '%3D'), 'latin1'); createHash('sha256').update(b).digest(); return b.length; },
  bytes: (s) => {
    const src = Buffer.from(Buffer.from(s).toString('base64'), 'latin1');
    const out = Buffer.allocUnsafe(src.length * 3); let j = 0;
    for (let i = 0; i < src.length; i++) { const c = src[i]!; if (c === 43) { out[j++] = 37; out[j++] = 50; out[j++] = 66; } else if (c === 47) { out[j++] = 37; out[j++] = 50; out[j++] = 70; } else if (c === 61) { out[j++] = 37; out[j++] = 51; out[j++] = 68; } else out[j++] = c; }
    const b = out.subarray(0, j); createHash('sha256').update(b).digest(); return b.length; },
};
for (let round = 0; round < 3; round++) for (const [name, f] of Object.entries(variants)) {
  const t = performance.now();
  for (let k = 0; k < 5; k++) for (const s of raws) f(s);
  console.log(name, ((performance.now() - t) / 1000).toFixed(3), 'ms/msg');
}
