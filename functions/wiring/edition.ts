/** Wiring of the edition function (the only one that loads MJML). */
import { EditionService } from '../core/editions/edition-service.ts';
import { FanOutService } from '../core/delivery/fan-out-service.ts';
import { MjmlEditionRenderer } from '../core/rendering/edition-publisher.ts';
import { articleStore, artefactStore, branding, config, editionRepository, logger, sendQueue, subscriberRepository } from './common.ts';

/** The fan-out use case. */
export function fanOutService(shouldYield?: () => boolean): FanOutService {
  return new FanOutService({
    subscribers: subscriberRepository(),
    editions: editionRepository(),
    queue: sendQueue(),
    logger: logger('fan-out'),
    ...(shouldYield ? { shouldYield } : {}),
  });
}

/** The edition use case; `shouldYield` lets a Lambda stop the fan-out before its timeout. */
export function editionService(shouldYield?: () => boolean): EditionService {
  const c = config();
  return new EditionService({
    articles: articleStore(),
    editions: editionRepository(),
    artefacts: artefactStore(),
    renderer: new MjmlEditionRenderer({ branding: branding(), archiveBaseUrl: c.ARCHIVE_BASE_URL, subjectPattern: c.SUBJECT_PATTERN, artefacts: artefactStore() }),
    fanOut: fanOutService(shouldYield),
    logger: logger('edition'),
    defaultLanguage: c.CONTENT_LANGUAGE,
    maxDelayMs: c.EDITION_MAX_DELAY_HOURS * 3600_000,
  });
}
