/** Wiring of the `alerts` function: the alert flush (loads MJML: it compiles the shells and cards). */
import { AlertFlushService, type AlertFlushDeps } from '../core/alerts/alert-flush.ts';
import { MjmlAlertRenderer } from '../core/rendering/alert-renderer.ts';
import type { RenderObserver } from '../core/rendering/mjml-compiler.ts';
import { articleStore, artefactStore, branding, config, editionRepository, logger, sendQueue } from './common.ts';
import { alertPieces, alertStore } from './keyword-alerts.ts';

/**
 * The flush use case; `shouldYield` lets a Lambda stop before its timeout (the next run
 * carries on).
 *
 * @example
 * ```ts
 * await alertFlushService({ shouldYield: () => context.getRemainingTimeInMillis() < 30_000 }).run({ scheduledAt, now });
 * ```
 */
export function alertFlushService(
  options: { shouldYield?: () => boolean; renderObserver?: RenderObserver } & Partial<Pick<AlertFlushDeps, 'claimMs' | 'concurrency' | 'pageSize'>> = {},
): AlertFlushService {
  const c = config();
  const { shouldYield, renderObserver, ...tuning } = options;
  return new AlertFlushService({
    store: alertStore(),
    articles: articleStore(),
    pieces: alertPieces(),
    renderer: new MjmlAlertRenderer({ branding: branding(c), ...(renderObserver ? { observer: renderObserver } : {}) }),
    editions: editionRepository(),
    archive: artefactStore(),
    queue: sendQueue(),
    logger: logger('alerts'),
    maxPerDay: c.ALERT_MAX_PER_DAY,
    claimMs: c.ALERT_CLAIM_SECONDS * 1000,
    ...(shouldYield ? { shouldYield } : {}),
    ...tuning,
  });
}
