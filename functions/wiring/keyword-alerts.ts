/**
 * Wiring of keyword alerts shared by several bundles, none of it MJML: the alerts table's
 * adapters, the index upkeep (subscribers and feedback functions, the CLI import), matching
 * (ingest and reconcile) and the digest assembly (send). The flush itself, which compiles
 * MJML, is wired in alerts.ts.
 */
import { AlertDigestAssembler } from '../core/alerts/alert-digests.ts';
import { AlertFollowingService } from '../core/alerts/alert-following.ts';
import { AlertMatcher } from '../core/alerts/alert-matcher.ts';
import { DynamoDbAlertStore } from '../adapters/dynamodb-alert-store.ts';
import { DynamoDbKeywordIndex } from '../adapters/dynamodb-keyword-index.ts';
import { S3AlertPieceStore } from '../adapters/s3-alert-piece-store.ts';
import { config, ddb, links, logger, memo, messageHeaders, s3 } from './common.ts';

/** The keyword → followers index (AlertsTable). */
export const keywordIndex = memo(() => new DynamoDbKeywordIndex({ client: ddb(), tableName: config().ALERTS_TABLE }));

/** Pending matches, windows, caps and digests (AlertsTable). */
export const alertStore = memo(() => new DynamoDbAlertStore({ client: ddb(), tableName: config().ALERTS_TABLE }));

/** The flushes' shells and cards (artefacts bucket, `alerts/`). */
export const alertPieces = memo(() => new S3AlertPieceStore({ client: s3(), bucket: config().ARTEFACTS_BUCKET }));

/**
 * Keeps the index in step with subscribers (passed to the subscribers use cases).
 *
 * @example
 * ```ts
 * await importSubscribers(subscriberRepository(), csv, new Date(), { following: alertFollowing() });
 * ```
 */
export const alertFollowing = memo(() => new AlertFollowingService({ index: keywordIndex(), logger: logger('alerts') }));

/** Matching at ingest. */
export const alertMatcher = memo(
  () => new AlertMatcher({ index: keywordIndex(), store: alertStore(), logger: logger('alerts'), instantWindowMs: config().ALERT_INSTANT_WINDOW_MINUTES * 60_000 }),
);

/** The send worker's alert digests. */
export const alertDigests = memo(() => {
  const c = config();
  return new AlertDigestAssembler({
    store: alertStore(),
    pieces: alertPieces(),
    links: links(),
    headers: messageHeaders(c),
    siteName: c.SITE_NAME,
    subjectPattern: c.SUBJECT_PATTERN,
  });
});
