/**
 * Domain types of the editors module (the editors' console and CLI): who acts, what they
 * may do, send intents and audit records. Type-only, but for the `as const` value objects.
 * The words are those of docs/CONTEXT.md (intent, pick override, test send, special
 * edition, audit record, stalled).
 */
import type { DeliveryState } from '../delivery/types.ts';
import type { EditionState, JobName } from '../editions/types.ts';

/** The two roles, as OAuth scopes of the editors' resource server (`<prefix>/editor`, `<prefix>/viewer`). */
export const EditorScope = {
  /** Sends, cancels, resends, resumes, test-sends, changes picks; also everything a viewer does. */
  EDITOR: 'editor',
  /** Reads: editions, previews, the audit log, the quarantine. */
  VIEWER: 'viewer',
} as const;
export type EditorScope = (typeof EditorScope)[keyof typeof EditorScope];

/** Who is acting, from a verified access token. */
export interface EditorIdentity {
  /** The user name (Cognito's `username` claim), else the subject. */
  username: string;
  /** The token's subject (stable user id). */
  sub: string;
  /** The editors' scopes the token carries, without the resource server's prefix. */
  scopes: EditorScope[];
}

/** What an editor did, as the audit log names it. */
export const AuditAction = {
  PICKS_CHANGED: 'picks.changed',
  TEST_SENT: 'test.sent',
  DRY_RUN: 'send.dry-run',
  SEND_CONFIRMED: 'send.confirmed',
  SEND_REFUSED: 'send.refused',
  CANCELLED: 'edition.cancelled',
  RESENT_FAILED: 'edition.resent-failed',
  RESUMED: 'edition.resumed',
} as const;
export type AuditAction = (typeof AuditAction)[keyof typeof AuditAction];

/** One editor action: who, what, when, which edition, the counts. Never holds an address. */
export interface AuditRecord {
  id: string;
  /** When (ISO-8601). */
  at: string;
  /** Who: the user name, and the subject. */
  actor: string;
  actorSub: string;
  action: AuditAction;
  job?: JobName;
  edition?: string;
  /** The counts of the action: recipients, test addresses, re-queued entries, … */
  counts?: Readonly<Record<string, number>>;
  /** A few words more: why a confirm was refused, the intent, … */
  detail?: string;
}

/** Which edition a send-now makes or sends. */
export const IntentKind = {
  /** The period's edition, which the schedule has not made yet: the schedule finds it there later. */
  PERIOD: 'period',
  /** The period's edition was sent already: a special edition with its own id (`daily-2026-12-01-s2`). */
  SPECIAL: 'special',
  /** The period's edition is held (its schedule fired late): this sends it. */
  HELD: 'held',
} as const;
export type IntentKind = (typeof IntentKind)[keyof typeof IntentKind];

/**
 * The first step of a send-now: what would be sent, to how many, with a hash of the content.
 * The send starts only on a confirm that quotes its id, its count and its hash before it expires.
 */
export interface SendIntent {
  id: string;
  job: JobName;
  kind: IntentKind;
  editionId: string;
  /** The period the edition will cover (fixed here: the build covers exactly it). */
  from: string;
  to: string;
  subject: string;
  /** The newsletter's name, as the confirmation shows it ("Send <subject> to N subscribers of <newsletter>"). */
  newsletter: string;
  /** Recipients per segment, and their sum. */
  recipients: Readonly<Record<string, number>>;
  total: number;
  /** 16 hex digits of the sha256 of the rendered edition (subject, HTML, text, tokens left in). */
  contentHash: string;
  createdAt: string;
  createdBy: string;
  expiresAt: string;
  /** Set by the one confirm that started (or tried to start) the send. */
  confirmedAt?: string;
  confirmedBy?: string;
  /** What the confirm found when the edition could not be started as planned. */
  outcome?: string;
}

/** Counts of an edition's recipients by ledger state (pending: enqueued, no entry yet). */
export type LedgerCounts = Readonly<Record<DeliveryState, number>>;

/** One edition as the console lists it. */
export interface EditionSummary {
  id: string;
  job: JobName;
  state: EditionState;
  subject?: string;
  reason?: string;
  /** Recipients enqueued so far, and whether the fan-out is done. */
  total: number;
  fanoutDone: boolean;
  counts: LedgerCounts;
  /** Where the counts come from: the ledger (while it may still move) or the edition's counters. */
  countsFrom: 'ledger' | 'counters';
  createdAt: string;
  updatedAt: string;
  sendingAt?: string;
  /** While sending: messages finished per second since sending started, and the seconds left at that rate. */
  rate?: number;
  etaSeconds?: number;
  /** When anything of it last moved (the record, or any ledger entry), while building or sending. */
  lastMoveAt?: string;
  /** Building or sending, and nothing moved for 10 minutes. */
  stalled: boolean;
  /** Sending or sent: the bounce or complaint rate is at SES's review level (edition analytics). */
  warnings?: string[];
}
