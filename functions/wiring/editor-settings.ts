/**
 * The editors' settings that need nothing but the configuration: where editors sign in, and
 * the editors' logger. No adapter is imported, so the console page's bundle (http/editor/page.ts)
 * carries no AWS SDK; editors.ts re-exports all of it.
 */
import type { Config } from '../core/config.ts';
import { ConfigError } from '../core/errors.ts';
import { config, logger, memo } from './settings.ts';

/**
 * A setting the editor functions need, or a ConfigError naming it.
 *
 * @example
 * ```ts
 * const table = required(config(), 'EDITORS_TABLE'); // throws "Configuration error: EDITORS_TABLE is missing …"
 * ```
 */
export function required<K extends keyof Config>(c: Config, name: K): NonNullable<Config[K]> {
  const value = c[name];
  if (value === undefined || value === null || value === '') throw new ConfigError(`Configuration error: ${String(name)} is missing (the editors' console needs it)`);
  return value as NonNullable<Config[K]>;
}

/** Where editors sign in, as the page and the token checks need it. */
export interface EditorAuthSettings {
  issuer: string;
  clientId: string;
  scopePrefix: string;
  /** The OAuth server: `<domain>/oauth2/authorize`, `/oauth2/token`, `/logout`. */
  domain: string;
  jwksUri?: string;
}

/**
 * Where editors sign in, from the EDITOR_AUTH_* settings.
 *
 * @throws ConfigError naming a missing EDITOR_AUTH_* setting.
 * @example
 * ```ts
 * const tokenUrl = `${editorAuthSettings().domain}/oauth2/token`;
 * ```
 */
export const editorAuthSettings = memo((): EditorAuthSettings => {
  const c = config();
  return {
    issuer: required(c, 'EDITOR_AUTH_ISSUER'),
    clientId: required(c, 'EDITOR_AUTH_CLIENT_ID'),
    scopePrefix: required(c, 'EDITOR_AUTH_SCOPE_PREFIX'),
    domain: required(c, 'EDITOR_AUTH_DOMAIN').replace(/\/+$/, ''),
    ...(c.EDITOR_AUTH_JWKS_URI ? { jwksUri: c.EDITOR_AUTH_JWKS_URI } : {}),
  };
});

/**
 * The editors' functions' logger.
 *
 * @example
 * ```ts
 * export const handler = http(route, { errorResponse: pageError, logger: editorLogger });
 * ```
 */
export const editorLogger = memo(() => logger('editors'));
