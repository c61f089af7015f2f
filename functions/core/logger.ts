/**
 * Structured logging. The core depends on the small {@link Logger} interface; the default
 * implementation is Powertools for AWS Lambda's Logger (JSON lines, CloudWatch friendly).
 * Never pass a plain email address: log `emailHash(address)` instead.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';

export interface Logger {
  debug(message: string, extra?: Record<string, unknown>): void;
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';

/**
 * Creates a logger for one service.
 *
 * @example
 * ```ts
 * const logger = createLogger('ingest', 'INFO');
 * logger.info('ingested', { key: 'a.json' });
 * ```
 */
export function createLogger(serviceName: string, level: LogLevel): Logger {
  const logger = new PowertoolsLogger({ serviceName, logLevel: level });
  return {
    debug: (m, e) => logger.debug(m, e ?? {}),
    info: (m, e) => logger.info(m, e ?? {}),
    warn: (m, e) => logger.warn(m, e ?? {}),
    error: (m, e) => logger.error(m, e ?? {}),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
