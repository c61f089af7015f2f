/** Wiring of the ingest and reconcile functions. */
import { IngestService } from '../core/articles/ingest-service.ts';
import { S3ContentSource } from '../adapters/s3-content-source.ts';
import { articleStore, config, logger, memo, s3 } from './common.ts';
import { alertMatcher } from './keyword-alerts.ts';

/** The ingest use case, built once per process. */
export const ingestService = memo(
  () =>
    new IngestService({
    source: new S3ContentSource({ client: s3(), bucket: config().CONTENT_BUCKET }),
    store: articleStore(),
    quarantine: articleStore(),
    logger: logger('ingest'),
    defaultLanguage: config().CONTENT_LANGUAGE,
    alerts: alertMatcher(),
    }),
);
