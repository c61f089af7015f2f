/**
 * A logger that keeps what it was told, for assertions.
 */
import type { Logger } from '../../../functions/core/logger.ts';

/** One line a {@link MemoryLogger} was told. */
export interface LoggedLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  extra?: Record<string, unknown>;
}

/**
 * Keeps every line in `lines`.
 *
 * @example
 * ```ts
 * const logger = new MemoryLogger();
 * logger.warn('fan-out held', { edition: 'daily-2026-11-28' });
 * logger.lines.some((l) => l.level === 'warn'); // true
 * ```
 */
export class MemoryLogger implements Logger {
  public readonly lines: LoggedLine[] = [];

  public debug(message: string, extra?: Record<string, unknown>): void {
    this.#log('debug', message, extra);
  }

  public info(message: string, extra?: Record<string, unknown>): void {
    this.#log('info', message, extra);
  }

  public warn(message: string, extra?: Record<string, unknown>): void {
    this.#log('warn', message, extra);
  }

  public error(message: string, extra?: Record<string, unknown>): void {
    this.#log('error', message, extra);
  }

  /** Every line as text: `level message {extra as JSON}`. */
  public text(): string[] {
    return this.lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.extra ?? {})}`);
  }

  #log(level: LoggedLine['level'], message: string, extra: Record<string, unknown> | undefined): void {
    this.lines.push({ level, message, ...(extra ? { extra } : {}) });
  }
}
