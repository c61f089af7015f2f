/**
 * The errors of the HTTP edge itself (the core's errors are in functions/core/errors.ts).
 * Like those, each carries a `statusCode` and is shown to the caller (`expose`).
 */
import { DigestError } from '../core/errors.ts';

/** The body is larger than the limit (413). */
export class PayloadTooLargeError extends DigestError {
  public constructor(limit: number) {
    super(`body: larger than ${limit} bytes`, { statusCode: 413 });
    this.name = 'PayloadTooLargeError';
  }
}

/** The body has a content type the endpoint does not read (415). */
export class UnsupportedMediaTypeError extends DigestError {
  public constructor(type: string) {
    super(
      type === ''
        ? 'body: a content type is required (use application/json or a form)'
        : `body: unsupported content type "${type.replace(/[^\w./+-]/g, '?').slice(0, 60)}" (use application/json or a form)`,
      { statusCode: 415 },
    );
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** A method the endpoint does not answer (405). */
export class MethodNotAllowedError extends DigestError {
  public readonly allow: string;
  public constructor(allow: string[]) {
    super(`method not allowed (${allow.join(', ')})`, { statusCode: 405 });
    this.name = 'MethodNotAllowedError';
    this.allow = allow.join(', ');
  }
}
