/**
 * Ports of the editors module. Adapters: functions/adapters/dynamodb-editors-store.ts
 * (AuditLog, IntentStore on EditorsTable), functions/adapters/jwt-editor-token-verifier.ts
 * (EditorTokenVerifier, aws-jwt-verify).
 */
import type { AuditRecord, EditorIdentity, SendIntent } from './types.ts';

/** Checks an editor's access token and says who it is. */
export interface EditorTokenVerifier {
  /**
   * Verifies the signature (against the issuer's keys), the issuer, the client, the token
   * use and the expiry.
   *
   * @throws UnauthenticatedError('invalid', …) for any token that does not pass.
   */
  verify(token: string): Promise<EditorIdentity>;
}

/** The audit log: one record per editor action, never changed, newest first. */
export interface AuditLog {
  /** Appends a record (the id is made here) and returns it. */
  record(entry: Omit<AuditRecord, 'id'>): Promise<AuditRecord>;
  /** The newest records first, all of them or one edition's, page by page. */
  list(options: { limit: number; cursor?: string; edition?: string }): Promise<{ records: AuditRecord[]; cursor?: string }>;
}

/** Where send intents wait for their confirm. */
export interface IntentStore {
  put(intent: SendIntent): Promise<void>;
  get(id: string): Promise<SendIntent | undefined>;
  /**
   * Marks the intent confirmed, unless it was already: of two confirms at once exactly one
   * gets true. Returns false when it was confirmed before (or does not exist).
   */
  confirm(id: string, by: string, at: string): Promise<boolean>;
  /** Notes what the confirm found (the edition was there already, …). */
  setOutcome(id: string, outcome: string): Promise<void>;
}
