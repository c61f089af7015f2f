/**
 * Composition root, the part that needs nothing but the configuration: the memo of
 * per-process dependencies, the configuration, loggers and branding. It imports no adapter,
 * so a function that needs only these (the editors' console page, error pages) bundles
 * without the AWS SDK. common.ts re-exports all of it.
 */
import { getConfig, type Config } from '../core/config.ts';
import type { JobName } from '../core/editions/types.ts';
import { Links } from '../core/links.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import type { MessageHeaders } from '../core/rendering/personalizer.ts';
import type { Branding } from '../core/rendering/types.ts';

const resets: Array<() => void> = [];

/**
 * A dependency made on first use and kept for the life of the process (a Lambda container).
 * A promise that rejects is not kept (a secret read from SSM while SSM was down): the next
 * call makes it again.
 *
 * @example
 * ```ts
 * export const ddb = memo(() => dynamoDocumentClient(config()));
 * ```
 */
export function memo<T>(make: () => T): () => T {
  let value: { v: T } | undefined;
  resets.push(() => {
    value = undefined;
  });
  return () => {
    if (value) return value.v;
    const made = { v: make() };
    value = made;
    if (made.v instanceof Promise) {
      made.v.catch(() => {
        if (value === made) value = undefined;
      });
    }
    return made.v;
  };
}

/**
 * Forgets every memoised dependency (the CLI and tests switch environments between runs).
 *
 * @example
 * ```ts
 * useEnvironment(stackEnv); resetWiring();
 * ```
 */
export function resetWiring(): void {
  for (const reset of resets) reset();
}

/**
 * The configuration, read and checked once (core/config.ts).
 *
 * @example
 * ```ts
 * const table = config().DELIVERIES_TABLE;
 * ```
 */
export const config = (): Config => getConfig();

/**
 * A logger for one function.
 *
 * @example
 * ```ts
 * logger('send').warn('rejected for good', { edition, reason });
 * ```
 */
export function logger(service: string): Logger {
  return createLogger(service, config().LOG_LEVEL === 'SILENT' ? 'SILENT' : config().LOG_LEVEL);
}

/**
 * Branding from config.
 *
 * @example
 * ```ts
 * errorPage(branding(), 404, 'Not found');
 * ```
 */
export function branding(c: Config = config()): Branding {
  return {
    siteName: c.SITE_NAME,
    siteUrl: c.SITE_URL,
    ...(c.SITE_LOGO_URL ? { logoUrl: c.SITE_LOGO_URL } : {}),
    primaryColor: c.BRAND_PRIMARY_COLOR,
    textColor: c.BRAND_TEXT_COLOR,
    backgroundColor: c.BRAND_BACKGROUND_COLOR,
    fromName: c.FROM_NAME,
    fromAddress: c.FROM_ADDRESS,
    postalAddress: c.POSTAL_ADDRESS,
  };
}

/**
 * Each newsletter job's time zone (DAILY_SCHEDULE, WEEKLY_SCHEDULE): the day or week its
 * editions are named after.
 *
 * @example
 * ```ts
 * jobZones().daily; // 'Europe/Amsterdam'
 * ```
 */
export const jobZones = (): Partial<Record<JobName, string>> => ({ daily: config().DAILY_SCHEDULE.zone, weekly: config().WEEKLY_SCHEDULE.zone });

/** Every public URL (archive pages, subscriber links). */
export const links = memo(() => new Links({ publicBaseUrl: config().PUBLIC_BASE_URL, archiveBaseUrl: config().ARCHIVE_BASE_URL }));

/** Edition-wide message headers (the subject comes from each edition). */
export function messageHeaders(c: Config = config()): Omit<MessageHeaders, 'subject'> {
  const domain = c.FROM_ADDRESS.split('@')[1] ?? 'localhost';
  return { fromName: c.FROM_NAME, fromAddress: c.FROM_ADDRESS, listId: `digest.${domain}`, messageIdDomain: domain };
}
