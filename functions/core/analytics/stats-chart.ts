/**
 * A small SVG chart of an edition's sends and deliveries over time (cumulative, per minute),
 * drawn on the server: no script, no library, safe to inline in the console page.
 */
import type { TimelinePoint } from './types.ts';

const escape = (text: string): string => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * @example
 * ```ts
 * timelineSvg([{ minute: '2026-12-01T06:00', sent: 3, delivered: 2 }]); // '<svg …>…</svg>'
 * ```
 */
export function timelineSvg(points: readonly TimelinePoint[], options: { width?: number; height?: number } = {}): string {
  const width = options.width ?? 600;
  const height = options.height ?? 180;
  const pad = { left: 44, right: 12, top: 12, bottom: 30 };
  const label = 'Sends and deliveries over time';
  if (points.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${label}: nothing yet" class="chart"><text x="${width / 2}" y="${height / 2}" text-anchor="middle" font-size="13" fill="#57606a">No sends recorded yet</text></svg>`;
  }
  // Cumulative counts, with a zero point a minute before the first.
  const first = Date.parse(`${points[0]?.minute ?? ''}:00Z`);
  const series: Array<{ t: number; sent: number; delivered: number }> = [{ t: first - 60_000, sent: 0, delivered: 0 }];
  for (const p of points) {
    const last = series[series.length - 1] ?? { sent: 0, delivered: 0 };
    series.push({ t: Date.parse(`${p.minute}:00Z`), sent: last.sent + p.sent, delivered: last.delivered + p.delivered });
  }
  const t0 = series[0]?.t ?? 0;
  const t1 = Math.max(series[series.length - 1]?.t ?? 0, t0 + 60_000);
  const max = Math.max(1, ...series.map((s) => Math.max(s.sent, s.delivered)));
  const x = (t: number): number => pad.left + ((t - t0) / (t1 - t0)) * (width - pad.left - pad.right);
  const y = (n: number): number => height - pad.bottom - (n / max) * (height - pad.top - pad.bottom);
  const line = (key: 'sent' | 'delivered'): string => series.map((s) => `${x(s.t).toFixed(1)},${y(s[key]).toFixed(1)}`).join(' ');
  const time = (t: number): string => `${new Date(t).toISOString().slice(11, 16)} UTC`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escape(`${label}: ${series[series.length - 1]?.sent ?? 0} sent, ${series[series.length - 1]?.delivered ?? 0} delivered`)}" class="chart">`,
    `<line x1="${pad.left}" y1="${height - pad.bottom}" x2="${width - pad.right}" y2="${height - pad.bottom}" stroke="#d0d7de"/>`,
    `<line x1="${pad.left}" y1="${pad.top}" x2="${pad.left}" y2="${height - pad.bottom}" stroke="#d0d7de"/>`,
    `<text x="${pad.left - 6}" y="${pad.top + 4}" text-anchor="end" font-size="11" fill="#57606a">${max}</text>`,
    `<text x="${pad.left - 6}" y="${height - pad.bottom}" text-anchor="end" font-size="11" fill="#57606a">0</text>`,
    `<text x="${pad.left}" y="${height - 10}" font-size="11" fill="#57606a">${escape(time(t0))}</text>`,
    `<text x="${width - pad.right}" y="${height - 10}" text-anchor="end" font-size="11" fill="#57606a">${escape(time(t1))}</text>`,
    `<polyline class="sent" fill="none" stroke="#0b5394" stroke-width="2" points="${line('sent')}"/>`,
    `<polyline class="delivered" fill="none" stroke="#1a7f37" stroke-width="2" stroke-dasharray="5 3" points="${line('delivered')}"/>`,
    `<text x="${pad.left + 8}" y="${pad.top + 4}" font-size="11" fill="#0b5394">— sent</text>`,
    `<text x="${pad.left + 8}" y="${pad.top + 18}" font-size="11" fill="#1a7f37">- - delivered</text>`,
    '</svg>',
  ].join('');
}
