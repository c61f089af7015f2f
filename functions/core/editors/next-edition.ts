/**
 * Which edition a job's "next edition" is right now: the period's edition when the schedule
 * has not made it yet, the held edition of the period, or a special edition with its own id
 * once the period's was sent (or cancelled). The preview, the test send and the send-now dry
 * run all ask here, so that they show, test and send the same edition (its id is in its web
 * view link, and so in its content hash).
 */
import { editionIdFor } from '../editions/schedule.ts';
import type { EditionRepository } from '../editions/ports.ts';
import { EditionState, type JobName } from '../editions/types.ts';
import { IntentKind } from './types.ts';

/** Special editions of one period: `-s2` … `-s20`. */
export const MAX_SPECIAL = 20;

/** The next edition, or why none can be started now (the period's or a special edition is being built or sent). */
export type NextEdition =
  | { kind: IntentKind; editionId: string }
  | { busy: { editionId: string; state: EditionState } };

/**
 * @example
 * ```ts
 * await nextEdition(editions, 'daily', new Date('2026-12-01T09:00:00Z')); // { kind: 'special', editionId: 'daily-2026-12-01-s2' }
 * ```
 */
export async function nextEdition(editions: EditionRepository, job: JobName, now: Date, zone?: string): Promise<NextEdition> {
  const period = editionIdFor(job, now, zone);
  const existing = await editions.get(period);
  if (!existing) return { kind: IntentKind.PERIOD, editionId: period };
  if (existing.state === EditionState.HELD) return { kind: IntentKind.HELD, editionId: period };
  if (existing.state === EditionState.BUILDING || existing.state === EditionState.SENDING) return { busy: { editionId: period, state: existing.state } };
  for (let n = 2; n <= MAX_SPECIAL; n++) {
    const id = `${period}-s${n}`;
    const special = await editions.get(id);
    if (!special) return { kind: IntentKind.SPECIAL, editionId: id };
    if (special.state === EditionState.BUILDING || special.state === EditionState.SENDING) return { busy: { editionId: id, state: special.state } };
  }
  return { busy: { editionId: `${period}-s${MAX_SPECIAL}`, state: EditionState.SENT } };
}
