/**
 * Every error of the core, in one file. Each sets `name`, accepts `{ cause }`, and, when it
 * may be shown to a caller over HTTP, carries a `statusCode` with `expose` (middy style:
 * exposed by default only below 500). Errors of the HTTP edge itself (body too large,
 * unsupported media type, method not allowed) live in functions/http/errors.ts; adapters
 * throw these or let the SDK's errors through.
 */

/** Base class of the project's errors. */
export class DigestError extends Error {
  /** HTTP status for API callers. */
  public readonly statusCode: number;
  /** Whether the message may be shown to the caller. */
  public readonly expose: boolean;

  public constructor(message: string, options?: { cause?: unknown; statusCode?: number }) {
    super(message, { cause: options?.cause });
    this.name = 'DigestError';
    this.statusCode = options?.statusCode ?? 500;
    this.expose = this.statusCode < 500;
  }
}

/** The environment is missing a variable or holds a bad one. */
export class ConfigError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** Input from a caller is not acceptable; the message says why. */
export class ValidationError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, statusCode: 400 });
    this.name = 'ValidationError';
  }
}

/** A content object cannot be read; it goes to quarantine with this message as reason. */
export class UnreadableContentError extends DigestError {
  public readonly key: string;
  public constructor(key: string, reason: string, options?: { cause?: unknown }) {
    super(reason, { ...options, statusCode: 422 });
    this.name = 'UnreadableContentError';
    this.key = key;
  }
}

/**
 * Objects could be neither ingested nor recorded in quarantine (the store itself failed), or
 * a removal failed: the caller must see it (Lambda retries the S3 event, then sends it to the
 * function's failure destination; a reconciliation run ends failed).
 */
export class IngestFailedError extends DigestError {
  /** The object keys that failed. */
  public readonly keys: readonly string[];
  public constructor(keys: readonly string[], options?: { cause?: unknown }) {
    const first = keys[0] ?? '';
    const cause = options?.cause instanceof Error ? `: ${options.cause.name}: ${options.cause.message}` : '';
    super(`${keys.length} object(s) could not be ingested nor quarantined, first ${first}${cause}`, options);
    this.name = 'IngestFailedError';
    this.keys = keys;
  }
}

/** Something asked for does not exist. */
export class NotFoundError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, statusCode: 404 });
    this.name = 'NotFoundError';
  }
}

/** A conditional write lost a race: someone else holds or already did this. */
export class ConflictError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, { ...options, statusCode: 409 });
    this.name = 'ConflictError';
  }
}

/** The mail provider refused a message for good (no retry helps). */
export class PermanentSendError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentSendError';
  }
}

/** The mail provider refused for now (throttling, 5xx): retry later. */
export class TransientSendError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TransientSendError';
  }
}

/**
 * The mail provider may or may not have accepted the message: the call was aborted at its
 * deadline, or the connection dropped after the request was sent. Neither a failure (it may
 * have gone out) nor a success (it may not have): the ledger entry waits for a Send event.
 */
export class SendOutcomeUnknownError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SendOutcomeUnknownError';
  }
}

/**
 * The send did not start: its `startBy` time (its send slot plus the lateness allowed)
 * passed before the request could be written, so nothing was sent. The send takes a new
 * slot; a request written late would reach SES bunched with the next slots' sends.
 */
export class SendSlotMissedError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SendSlotMissedError';
  }
}

/** The account's 24-hour sending quota is used up: stop, leave the work queued. */
export class QuotaExhaustedError extends DigestError {
  public constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuotaExhaustedError';
  }
}

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

/** Why a subscriber token was refused. */
export type InvalidTokenReason = 'malformed' | 'bad signature' | 'wrong purpose' | 'expired' | 'already used';

/** A token is malformed, forged, tampered with, for another purpose, expired or used up (400). */
export class InvalidTokenError extends ValidationError {
  public readonly reason: InvalidTokenReason;
  public constructor(reason: InvalidTokenReason, options?: { cause?: unknown }) {
    super(`token: ${reason}`, options);
    this.name = 'InvalidTokenError';
    this.reason = reason;
  }
}

/** Too many requests from one source or for one address (429). */
export class TooManyRequestsError extends DigestError {
  public readonly retryAfterSeconds: number;
  public constructor(retryAfterSeconds: number, options?: { cause?: unknown }) {
    super('too many requests; try again later', { ...options, statusCode: 429 });
    this.name = 'TooManyRequestsError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** Why a caller is not authenticated: no credentials at all, or credentials that are not valid. */
export type UnauthenticatedReason = 'missing' | 'invalid';

/**
 * No credentials, or credentials that are not valid (401): expired, from another issuer or
 * client, or badly signed. `challenge` is the `WWW-Authenticate` answer (RFC 6750).
 */
export class UnauthenticatedError extends DigestError {
  public readonly reason: UnauthenticatedReason;
  public readonly challenge: string;
  public constructor(reason: UnauthenticatedReason, message: string, options?: { cause?: unknown }) {
    super(message, { ...options, statusCode: 401 });
    this.name = 'UnauthenticatedError';
    this.reason = reason;
    this.challenge = reason === 'missing' ? 'Bearer realm="editors"' : 'Bearer realm="editors", error="invalid_token"';
  }
}

/** Valid credentials without the permission the request needs (403): a scope is missing. */
export class ForbiddenError extends DigestError {
  public readonly challenge: string;
  public constructor(message: string, options?: { cause?: unknown; scope?: string }) {
    super(message, { ...options, statusCode: 403 });
    this.name = 'ForbiddenError';
    this.challenge = `Bearer realm="editors", error="insufficient_scope"${options?.scope ? `, scope="${options.scope}"` : ''}`;
  }
}
