/**
 * `edition`: EventBridge schedules (`{"job":"daily","time":"…"}`), an editor (the editors'
 * API starts it asynchronously with the edition id and period of a confirmed send-now, or to
 * resume one), or the local CLI. Builds the edition once, renders it once, and fans the send
 * tasks out.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod'; // the namespace form lets esbuild leave out what is unused (zod's 260 KB of locales)
import { JobName } from './core/editions/types.ts';
import type { EditionRunResult } from './core/editions/edition-service.ts';
import { ValidationError } from './core/errors.ts';
import { editionService } from './wiring/edition.ts';

const EditionEvent = z.object({
  job: z.enum([JobName.DAILY, JobName.WEEKLY]),
  /** When the schedule fired (EventBridge `time`); defaults to now. */
  time: z.iso.datetime({ offset: true }).optional(),
  /** An editor's (or the CLI's) run: sent even when late. */
  force: z.boolean().optional(),
  /** This edition rather than the period's (a special edition, or a resume). */
  edition: z.string().regex(/^(daily|weekly)-[0-9A-Za-z-]{1,60}$/).optional(),
  /** The period of an edition this run creates, fixed at an editor's dry run. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<EditionRunResult> {
  const parsed = EditionEvent.safeParse(event);
  if (!parsed.success) throw new ValidationError(`bad edition event: ${z.prettifyError(parsed.error)}`);
  const now = new Date();
  // Leave a minute for the last page; a later run resumes from the cursor.
  const shouldYield = context ? () => context.getRemainingTimeInMillis() < 60_000 : undefined;
  return editionService(shouldYield).run({
    job: parsed.data.job,
    scheduledAt: parsed.data.time ? new Date(parsed.data.time) : now,
    now,
    force: parsed.data.force ?? false,
    ...(parsed.data.edition ? { editionId: parsed.data.edition } : {}),
    ...(parsed.data.from ? { from: parsed.data.from } : {}),
    ...(parsed.data.to ? { to: parsed.data.to } : {}),
  });
}
