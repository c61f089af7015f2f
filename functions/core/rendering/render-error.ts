/**
 * The rendering module's error. Lives apart from the renderer so that callers can catch it
 * without loading MJML.
 */
import { DigestError } from '../errors.ts';

/** A template failed to compile (MJML errors, a bad include) or the input cannot be rendered. */
export class RenderError extends DigestError {
  /** MJML's messages, one per problem, when the compiler reported them. */
  public readonly details: readonly string[];

  public constructor(message: string, options?: { cause?: unknown; details?: readonly string[] }) {
    super(message, { cause: options?.cause });
    this.name = 'RenderError';
    this.details = options?.details ?? [];
  }
}
