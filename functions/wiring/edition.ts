/** Wiring of the edition function (the only one besides subscribe that loads MJML). */
import { EditionService } from '../core/editions/edition-service.ts';
import { MjmlEditionRenderer } from '../core/rendering/edition-renderer.ts';
import type { RenderObserver } from '../core/rendering/mjml-compiler.ts';
import { articleStore, artefactStore, branding, config, editionRepository, jobZones, links, logger, pickOverrideStore } from './common.ts';
// The same fan-out as the reconciler's: it holds while the daily sending quota is exhausted.
import { deliveryFanOut } from './delivery.ts';

/**
 * The edition use case; `shouldYield` lets a Lambda stop the fan-out before its timeout.
 *
 * @example
 * ```ts
 * await editionService(() => context.getRemainingTimeInMillis() < 60_000).run({ job: 'daily', scheduledAt, now });
 * ```
 */
export function editionService(shouldYield?: () => boolean, options: { renderObserver?: RenderObserver } = {}): EditionService {
  const c = config();
  return new EditionService({
    articles: articleStore(),
    editions: editionRepository(),
    artefacts: artefactStore(),
    renderer: new MjmlEditionRenderer({
      branding: branding(),
      links: links(),
      subjectPattern: c.SUBJECT_PATTERN,
      clickTracking: c.CLICK_TRACKING,
      ...(options.renderObserver ? { observer: options.renderObserver } : {}),
    }),
    fanOut: deliveryFanOut(shouldYield),
    picks: pickOverrideStore(),
    logger: logger('edition'),
    defaultLanguage: c.CONTENT_LANGUAGE,
    maxDelayMs: c.EDITION_MAX_DELAY_HOURS * 3600_000,
    zones: jobZones(),
  });
}
