/**
 * The one place that reads the environment. Every variable is validated once, and a
 * missing or bad one fails with a message naming it. Nothing else touches `process.env`.
 */
// zod/mini: the same validation in a quarter of the code classic zod bundles (22 KB against
// 94 KB minified, about 40 ms less of every cold start: the send function reads this too);
// English messages loaded once, as classic zod has them.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { ConfigError } from './errors.ts';
import { secretWeakness } from './secrets.ts';
import { DEFAULT_SCHEDULES, parseJobSchedule, type JobSchedule } from './editions/schedule.ts';

z.config(en());

const url = z.url({ protocol: /^https?$/ });
const hexColor = z.string().check(z.regex(/^#[0-9a-fA-F]{6}$/, 'a colour like #1a2b3c'));
/** A whole number of at least `min`, from its text. */
const wholeNumber = (min: number) => z.pipe(z.coerce.number(), z.int().check(z.gte(min)));
const positiveInt = wholeNumber(1);
/** A number of at least `min`, from its text. */
const atLeast = (min: number) => z.coerce.number().check(z.gte(min));
/** A job's schedule, `[MON ]HH:MM Area/City` (editions/schedule.ts). */
const jobSchedule = z.pipe(
  z.string(),
  z.transform((value: string, ctx): JobSchedule => {
    try {
      return parseJobSchedule(value);
    } catch (error) {
      ctx.issues.push({ code: 'custom', message: (error as Error).message, input: value });
      return z.NEVER;
    }
  }),
);
const bool = z.pipe(
  z.enum(['true', 'false', '1', '0', '']),
  z.transform((v: '' | '0' | '1' | 'true' | 'false') => v === 'true' || v === '1'),
);

/** One secret, checked for strength (secrets.ts); the message never quotes it. */
const secret = z.string().check(
  z.superRefine((value: string, ctx) => {
    const weakness = secretWeakness(value);
    if (weakness !== undefined) ctx.addIssue({ code: 'custom', message: weakness });
  }),
);

/** A list of secrets separated by commas or white space, each checked. */
const secretList = z.pipe(
  z.string(),
  z.transform((value: string) => value.split(/[\s,]+/).filter((s) => s !== '')),
).check(
  z.superRefine((list: string[], ctx) => {
    for (const [index, value] of list.entries()) {
      const weakness = secretWeakness(value);
      if (weakness !== undefined) ctx.addIssue({ code: 'custom', message: `secret ${index + 1}: ${weakness}` });
    }
  }),
);

/** The schema of every environment variable, with defaults where a safe one exists. */
const EnvSchema = z.object({
  STAGE: z._default(z.string().check(z.minLength(1)), 'dev'),
  AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),

  CONTENT_BUCKET: z.string().check(z.minLength(3)),
  /** Rendered editions (editions/<id>/) and the public web archive (archive/). */
  ARTEFACTS_BUCKET: z.string().check(z.minLength(3)),
  ARTICLES_TABLE: z.string().check(z.minLength(1)),
  EDITIONS_TABLE: z.string().check(z.minLength(1)),
  SUBSCRIBERS_TABLE: z.string().check(z.minLength(1)),
  DELIVERIES_TABLE: z.string().check(z.minLength(1)),
  /** Keyword alerts: the keyword index, pending matches, windows, caps and frozen digests. */
  ALERTS_TABLE: z.string().check(z.minLength(1)),
  SEND_QUEUE_URL: url,
  SEND_DLQ_URL: z.optional(url),

  /** Local emulators only; empty on AWS. */
  S3_ENDPOINT: z.optional(url),
  DYNAMODB_ENDPOINT: z.optional(url),
  SES_ENDPOINT: z.optional(url),
  SQS_ENDPOINT: z.optional(url),
  SSM_ENDPOINT: z.optional(url),
  /**
   * The SDK's own switches (it reads them too): with either set, every AWS call goes through
   * the SDK's endpoint rules, none over the lean signed-HTTP path (aws-clients.ts).
   */
  AWS_USE_FIPS_ENDPOINT: z._default(bool, false),
  AWS_USE_DUALSTACK_ENDPOINT: z._default(bool, false),
  /**
   * The credentials Lambda gives the function (the local stack, the benchmarks and tests set
   * them too). Only the lean clients read them here (aws-lean-clients.ts: the send function
   * has no SDK and so no provider chain); the SDK clients read the environment themselves.
   * Never logged, never in an error message.
   */
  AWS_ACCESS_KEY_ID: z.optional(z.string().check(z.minLength(1))),
  AWS_SECRET_ACCESS_KEY: z.optional(z.string().check(z.minLength(1))),
  AWS_SESSION_TOKEN: z.optional(z.string().check(z.minLength(1))),

  SES_CONFIGURATION_SET: z.optional(z.string()),
  /** Overrides the account's MaxSendRate (messages/s); 0 = use GetSendQuota. */
  SEND_RATE_LIMIT: z._default(atLeast(0), 0),
  /** SES calls in flight at once inside one worker. */
  SEND_CONCURRENCY: z._default(positiveInt, 32),
  /** Lease of a ledger entry while a send is attempted (seconds). */
  SEND_LEASE_SECONDS: z._default(positiveInt, 120),
  /**
   * How long a Send event may take to reach the ledger (seconds; at most a quarter of the
   * lease): an entry whose send may have been accepted is not taken over before then.
   */
  SEND_SETTLE_SECONDS: z._default(positiveInt, 30),
  /**
   * When the newsletter jobs run, as a local time and an IANA zone (serverless.yml's
   * `custom.schedules`, from the parameters). The zone also names the edition's day or week.
   */
  DAILY_SCHEDULE: z.prefault(jobSchedule, DEFAULT_SCHEDULES.daily),
  WEEKLY_SCHEDULE: z.prefault(jobSchedule, DEFAULT_SCHEDULES.weekly),
  /**
   * Edition analytics: how long each recipient's SES events (delivery, bounce, open, click …)
   * are kept (days). The edition's totals stay. README's privacy notice says what is kept.
   */
  ENGAGEMENT_RETENTION_DAYS: z._default(positiveInt, 90),
  /**
   * The newsletter jobs whose editions let SES track clicks (comma-separated: `daily`,
   * `weekly`), or `none` (the default). The subscriber's own links are never tracked.
   */
  CLICK_TRACKING: z.prefault(
    z.pipe(
      z.string(),
      z.transform((value: string, ctx): Array<'daily' | 'weekly'> => {
        const jobs = value.split(/[\s,]+/).filter((s) => s !== '' && s !== 'none');
        const bad = jobs.filter((job) => job !== 'daily' && job !== 'weekly');
        if (bad.length > 0) ctx.issues.push({ code: 'custom', message: `daily, weekly or none, not ${bad.join(', ')}`, input: value });
        return jobs as Array<'daily' | 'weekly'>;
      }),
    ),
    'none',
  ),
  /** An edition created more than this late is held for an editor (hours). */
  EDITION_MAX_DELAY_HOURS: z._default(atLeast(0), 6),
  /** The `edition` function, started asynchronously by the editors' API and the reconciler. */
  EDITION_FUNCTION_NAME: z.optional(z.string().check(z.minLength(1))),
  /** Local only: serverless-offline's Lambda endpoint (which runs the `edition` function); empty on AWS. */
  LAMBDA_ENDPOINT: z.optional(url),
  /** Each send worker reads an edition's state at most this often (ms) and checks it right before each SES call. */
  SEND_STATE_CHECK_MS: z._default(positiveInt, 1000),
  /** A cancel is acknowledged this long after SEND_STATE_CHECK_MS has passed (ms): the time a send may take from its check to SES. */
  CANCEL_MARGIN_MS: z._default(wholeNumber(0), 2000),

  /** Editors: send intents and audit records (infra/editors.yml). Required by the editor functions only. */
  EDITORS_TABLE: z.optional(z.string().check(z.minLength(1))),
  /** Editor sign-in (docs/editors.md): the JWT issuer (the Cognito user pool's URL on AWS, the local issuer locally). */
  EDITOR_AUTH_ISSUER: z.optional(url),
  /** The `editors` app client: the access tokens' `client_id`. */
  EDITOR_AUTH_CLIENT_ID: z.optional(z.string().check(z.minLength(1))),
  /** Where the issuer's signing keys are (default `<issuer>/.well-known/jwks.json`). */
  EDITOR_AUTH_JWKS_URI: z.optional(url),
  /** The OAuth server the editor page signs in with: Cognito's domain (`/oauth2/authorize`, `/oauth2/token`), or the local issuer. */
  EDITOR_AUTH_DOMAIN: z.optional(url),
  /** The resource server's identifier: the scopes are `<prefix>/editor` and `<prefix>/viewer`. */
  EDITOR_AUTH_SCOPE_PREFIX: z.optional(z.string().check(z.regex(/^[\w.:\/-]{1,200}$/, 'letters, digits and . : / - _'))),

  /** `instant` alerts: the first match opens a window of this many minutes; later matches join it. */
  ALERT_INSTANT_WINDOW_MINUTES: z._default(atLeast(0), 5),
  /** Alert digests per subscriber per local day; what the cap holds back waits for the next day. */
  ALERT_MAX_PER_DAY: z._default(positiveInt, 5),
  /** A window claimed longer ago than this by a flush that did not finish is taken over (seconds; > the alerts function's timeout). */
  ALERT_CLAIM_SECONDS: z._default(positiveInt, 600),

  /**
   * The HMAC secret that signs subscriber links (strong: see secrets.ts), or the SSM
   * parameter holding it. The parameter may hold a list, current secret first.
   */
  TOKEN_SECRET: z.optional(secret),
  TOKEN_SECRET_PARAMETER: z.optional(z.string().check(z.startsWith('/'))),
  /**
   * Retired token secrets still accepted when verifying (comma-separated), so that links sent
   * before a rotation keep working for their lifetime. Never used to sign.
   */
  TOKEN_SECRETS_PREVIOUS: z._default(secretList, []),
  /**
   * The key of the log pseudonyms (HMAC of addresses and IPs in logs and rate-limit keys),
   * separate from the token secret, or the SSM parameter holding it.
   */
  LOG_PSEUDONYM_KEY: z.optional(secret),
  LOG_PSEUDONYM_KEY_PARAMETER: z.optional(z.string().check(z.startsWith('/'))),
  /** Base URL of the HTTP API: unsubscribe, preferences and confirm links. */
  PUBLIC_BASE_URL: url,
  /** Base URL where the web archive (edition pages, feed) is served. */
  ARCHIVE_BASE_URL: url,

  SITE_NAME: z._default(z.string().check(z.minLength(1)), 'CommonSpace Digest'),
  SITE_URL: z._default(url, 'https://www.commonspace.eu'),
  SITE_LOGO_URL: z.optional(url),
  BRAND_PRIMARY_COLOR: z._default(hexColor, '#0b5394'),
  BRAND_TEXT_COLOR: z._default(hexColor, '#1f2328'),
  BRAND_BACKGROUND_COLOR: z._default(hexColor, '#f4f5f7'),
  FROM_NAME: z._default(z.string().check(z.minLength(1)), 'CommonSpace Digest'),
  FROM_ADDRESS: z.email(),
  POSTAL_ADDRESS: z._default(z.string().check(z.minLength(1)), 'CommonSpace.eu, Stationsplein 1, 2511 AA The Hague, Netherlands'),
  CONTENT_LANGUAGE: z._default(z.string().check(z.minLength(2)), 'en'),
  /** Subject pattern: {site}, {headline}, {more}, {date}. */
  SUBJECT_PATTERN: z._default(z.string().check(z.minLength(1)), '{site}: {headline}{more}'),

  /**
   * POST /subscribe requests per source (an IPv4 address or an IPv6 /64) per
   * SUBSCRIBE_LIMIT_WINDOW_SECONDS; over it: 429 with Retry-After. Generous on purpose: an
   * office, a school or a carrier puts many people behind one address (docs/security.md).
   */
  SUBSCRIBE_LIMIT_PER_IP: z._default(positiveInt, 100),
  SUBSCRIBE_LIMIT_WINDOW_SECONDS: z._default(positiveInt, 3600),
  /**
   * Confirmation mails one address receives per SUBSCRIBE_LIMIT_PER_ADDRESS_WINDOW_SECONDS.
   * Over it the API still answers 202 and sends nothing; it never refuses anyone.
   */
  SUBSCRIBE_LIMIT_PER_ADDRESS: z._default(positiveInt, 3),
  SUBSCRIBE_LIMIT_PER_ADDRESS_WINDOW_SECONDS: z._default(positiveInt, 86_400),
  /** Lifetime of a confirmation link (hours). */
  CONFIRM_TOKEN_TTL_HOURS: z._default(positiveInt, 48),

  LOG_LEVEL: z._default(z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT']), 'INFO'),
  /** Reserved for local runs: keep SDK retries short. */
  LOCAL: z._default(bool, false),
}).check(
  z.refine((env) => env.TOKEN_SECRET !== undefined || env.TOKEN_SECRET_PARAMETER !== undefined, {
    message: 'set TOKEN_SECRET or TOKEN_SECRET_PARAMETER',
    path: ['TOKEN_SECRET'],
  }),
  z.refine((env) => env.LOG_PSEUDONYM_KEY !== undefined || env.LOG_PSEUDONYM_KEY_PARAMETER !== undefined, {
    message: 'set LOG_PSEUDONYM_KEY or LOG_PSEUDONYM_KEY_PARAMETER',
    path: ['LOG_PSEUDONYM_KEY'],
  }),
  z.refine(
    (env) =>
      env.LOG_PSEUDONYM_KEY === undefined ||
      (env.LOG_PSEUDONYM_KEY !== env.TOKEN_SECRET && !env.TOKEN_SECRETS_PREVIOUS.includes(env.LOG_PSEUDONYM_KEY)),
    { message: 'must differ from the token secrets', path: ['LOG_PSEUDONYM_KEY'] },
  ),
);

export type EnvVars = z.input<typeof EnvSchema>;
/** The validated configuration. */
export type Config = z.output<typeof EnvSchema>;

/**
 * Validates an environment and returns the configuration.
 *
 * @throws ConfigError naming every missing or bad variable.
 * @example
 * ```ts
 * const config = parseConfig({ CONTENT_BUCKET: 'content', ... });
 * config.CONTENT_BUCKET; // 'content'
 * ```
 */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      if (cleaned[name] !== undefined) return `${name} is invalid (${issue.message})`;
      return issue.code === 'custom' ? `${name} is missing (${issue.message})` : `${name} is missing`;
    });
    throw new ConfigError(`Configuration error: ${problems.join('; ')}`);
  }
  return result.data;
}

/** The `digest` CLI's own settings: the editors' API it drives when no flag names one. */
export interface CliSettings {
  /** DIGEST_ENDPOINT: the HTTP API's base URL (as PUBLIC_BASE_URL). */
  endpoint?: string;
  /** DIGEST_TOKEN: an editor's access token. */
  token?: string;
}

/**
 * Reads DIGEST_ENDPOINT and DIGEST_TOKEN (both optional; nothing else of the environment).
 *
 * @throws ConfigError naming a bad value.
 * @example
 * ```ts
 * const { endpoint, token } = cliSettings();
 * ```
 */
export function cliSettings(env: Record<string, string | undefined> = process.env): CliSettings {
  const result = z
    .object({ DIGEST_ENDPOINT: z.optional(url), DIGEST_TOKEN: z.optional(z.string().check(z.regex(/^[\w-]+\.[\w-]+\.[\w-]+$/, 'a JWT'))) })
    .safeParse(Object.fromEntries(Object.entries({ DIGEST_ENDPOINT: env.DIGEST_ENDPOINT, DIGEST_TOKEN: env.DIGEST_TOKEN }).filter(([, v]) => v !== undefined && v !== '')));
  if (!result.success) throw new ConfigError(`Configuration error: ${result.error.issues.map((i) => `${i.path.join('.')} is invalid (${i.message})`).join('; ')}`);
  return { ...(result.data.DIGEST_ENDPOINT ? { endpoint: result.data.DIGEST_ENDPOINT } : {}), ...(result.data.DIGEST_TOKEN ? { token: result.data.DIGEST_TOKEN } : {}) };
}

let cached: Config | undefined;

/**
 * The process's configuration, read from the environment once.
 *
 * @example
 * ```ts
 * const { ARTICLES_TABLE } = getConfig();
 * ```
 */
export function getConfig(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

/**
 * Sets environment variables for this process and forgets the cached configuration.
 * Used by the local stack, the CLI and tests, which point the same handlers at emulators.
 *
 * @example
 * ```ts
 * useEnvironment(stack.env);
 * ```
 */
export function useEnvironment(vars: Record<string, string>): void {
  Object.assign(process.env, vars);
  cached = undefined;
}
