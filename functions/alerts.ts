/**
 * `alerts`: the EventBridge schedule (every 5 minutes, `{"time":"…"}`) or the local CLI. Runs
 * one alert flush: every window due by now goes out as one alert digest per subscriber, over
 * the send queue.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod'; // the namespace form lets esbuild leave out what is unused (zod's 260 KB of locales)
import type { AlertFlushResult } from './core/alerts/alert-flush.ts';
import { ValidationError } from './core/errors.ts';
import { alertFlushService } from './wiring/alerts.ts';

const AlertsEvent = z.object({
  /** When the schedule fired (EventBridge `time`): names the flush, so a retry continues it. */
  time: z.iso.datetime({ offset: true }).optional(),
  /** Send every window due by then (`digest run --job alerts`: every window, as if due now). */
  dueBy: z.iso.datetime({ offset: true }).optional(),
});

/** Stop 30 s before the timeout; the next run carries on (claims and the due index keep the place). */
const YIELD_MARGIN_MS = 30_000;

export async function handler(event: unknown, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<AlertFlushResult> {
  const parsed = AlertsEvent.safeParse(event ?? {});
  if (!parsed.success) throw new ValidationError(`bad alerts event: ${z.prettifyError(parsed.error)}`);
  const now = new Date();
  const shouldYield = context ? () => context.getRemainingTimeInMillis() < YIELD_MARGIN_MS : undefined;
  return alertFlushService(shouldYield ? { shouldYield } : {}).run({
    scheduledAt: parsed.data.time ? new Date(parsed.data.time) : now,
    now,
    ...(parsed.data.dueBy ? { dueBy: new Date(parsed.data.dueBy) } : {}),
  });
}
