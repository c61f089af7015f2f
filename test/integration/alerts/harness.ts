/**
 * Shared set-up of the keyword-alert integration tests: the delivery tests' local stack (the
 * app pointed at it in-process), subscribers imported with the keyword index kept in step,
 * stories uploaded through the S3 events into `ingest` (which matches them), alert flushes
 * run with a chosen clock, the send queue drained into the real `send` handler, and the
 * alert digests read back from the local SES.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { expect } from 'vitest';
import type { AlertFlushResult } from '../../../functions/core/alerts/alert-flush.ts';
import { editionRepository } from '../../../functions/wiring/common.ts';
import { alertFlushService } from '../../../functions/wiring/alerts.ts';
import { importSubscribersFile, uploadContent } from '../../../infra/local/local-run.ts';
import type { CapturedMessage } from '../../../infra/local/stack.ts';
import { drainEdition, recipientOf, type DeliveryStack } from '../delivery/harness.ts';

export { startDeliveryStack as startAlertsStack, type DeliveryStack } from '../delivery/harness.ts';

/** One follower: `email,alerts,keywords[,timezone,alert_hour]`. */
export interface Follower {
  email: string;
  alerts: 'instant' | 'hourly' | 'daily' | 'weekly';
  keywords: string;
  timezone?: string;
  alertHour?: number;
}

let files = 0;

/** Imports followers (confirmed, as imports are), keeping the keyword index in step. */
export async function importFollowers(h: DeliveryStack, followers: readonly Follower[]): Promise<void> {
  files += 1;
  const rows = followers.map((f) => [f.email, 'Reader', 'none', f.alerts, f.keywords, f.timezone ?? '', f.alertHour ?? ''].join(','));
  const file = join(h.dir, `followers-${files}.csv`);
  await writeFile(file, `email,name,newsletter,alerts,keywords,timezone,alert_hour\n${rows.join('\n')}\n`);
  const result = await importSubscribersFile(file);
  expect(result.errors).toEqual([]);
}

/** A story for the content bucket (Markdown with front matter). */
export interface Story {
  /** Object key, e.g. `news/a.md`. */
  key: string;
  title: string;
  body: string;
  breaking?: boolean;
}

/** The article id of a story (its URL). */
export const storyUrl = (story: Story): string => `https://news.example.org/${story.key.replace(/\.md$/, '')}`;

/** Uploads stories into the content bucket; `ingest` reads (and matches) each one. */
export async function upload(h: DeliveryStack, stories: readonly Story[]): Promise<void> {
  files += 1;
  const folder = join(h.dir, `content-${files}`);
  for (const story of stories) {
    const path = join(folder, story.key);
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(
      path,
      ['---', `title: ${JSON.stringify(story.title)}`, `url: ${storyUrl(story)}`, 'section: News', ...(story.breaking ? ['breaking: true'] : []), '---', story.body, ''].join('\n'),
    );
  }
  await uploadContent(h.stack, folder);
}

let minute = 0;

/**
 * Runs one alert flush at `now` (default: the real clock), sending every window due by
 * `dueBy` (default `now`), then drains the send queue until its digests are final. Each call
 * is a flush of its own (a distinct scheduled minute).
 */
export async function flush(h: DeliveryStack, options: { now?: Date; dueBy?: Date } = {}): Promise<AlertFlushResult> {
  minute += 1;
  const now = options.now ?? new Date();
  const scheduledAt = new Date(Date.UTC(2031, 0, 1) + minute * 60_000);
  const result = await alertFlushService().run({ scheduledAt, now, ...(options.dueBy ? { dueBy: options.dueBy } : {}) });
  if (result.state === 'sending') await drainEdition(h, result.flush);
  const record = await editionRepository().get(result.flush);
  if (record) expect(record.state).toBe('sent');
  return result;
}

/** The alert digests the local SES accepted for an address. */
export function alertMails(h: DeliveryStack, email: string): CapturedMessage[] {
  return h.stack.ses.messages().filter((m) => (m.tags.edition ?? '').startsWith('alerts-') && recipientOf(m) === email);
}

/** The decoded parts of a captured message. */
export async function partsOf(message: CapturedMessage): Promise<{ html: string; text: string; subject: string }> {
  const mail = await simpleParser(message.raw);
  return { html: typeof mail.html === 'string' ? mail.html : '', text: mail.text ?? '', subject: mail.subject ?? '' };
}

/** How often a headline appears in a digest's text part. */
export async function timesListed(message: CapturedMessage, headline: string): Promise<number> {
  return (await partsOf(message)).text.split(headline).length - 1;
}
