/**
 * Wiring of keyword alerts shared by several bundles, none of it MJML: the alerts table's
 * adapters, the index upkeep (subscribers and feedback functions, the CLI import), matching
 * (ingest and reconcile) and the digest assembly (send). The flush itself, which compiles
 * MJML, is wired in alerts.ts.
 */
import { AlertFollowingService } from '../core/alerts/alert-following.ts';
import { AlertMatcher } from '../core/alerts/alert-matcher.ts';
import { alertDigests, alertPieces, alertStore, config, keywordIndex, logger, memo } from './common.ts';

export { alertDigests, alertPieces, alertStore, keywordIndex };

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
