/** Wiring of the edition function (the only one that loads MJML). */
import { EditionService } from '../core/editions/edition-service.ts';
import { MjmlEditionRenderer } from '../core/rendering/edition-publisher.ts';
import { articleStore, artefactStore, branding, config, editionRepository, logger } from './common.ts';
// The same fan-out as the reconciler's: it holds while the daily sending quota is exhausted.
import { deliveryFanOut } from './send.ts';

/** The edition use case; `shouldYield` lets a Lambda stop the fan-out before its timeout. */
export function editionService(shouldYield?: () => boolean): EditionService {
  const c = config();
  return new EditionService({
    articles: articleStore(),
    editions: editionRepository(),
    artefacts: artefactStore(),
    renderer: new MjmlEditionRenderer({ branding: branding(), archiveBaseUrl: c.ARCHIVE_BASE_URL, subjectPattern: c.SUBJECT_PATTERN, artefacts: artefactStore() }),
    fanOut: deliveryFanOut(shouldYield),
    logger: logger('edition'),
    defaultLanguage: c.CONTENT_LANGUAGE,
    maxDelayMs: c.EDITION_MAX_DELAY_HOURS * 3600_000,
  });
}
