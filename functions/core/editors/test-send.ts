/**
 * Test sends: the edition a preview shows (the next edition of a job, or an existing one),
 * to at most five addresses, with "[TEST] " before the subject. The message is the one the
 * send worker would build for that recipient (the same personaliser and MIME writer), so it
 * carries the preview's bytes, tokens aside. No ledger entry, no counter, nothing in the
 * archive: a test send only goes to SES and the audit log. Its messages are tagged
 * `test=true` (never `edition`/`subscriber`), so the SES events of a test are never counted
 * against an edition.
 */
import type { MailSender } from '../delivery/ports.ts';
import type { JobName } from '../editions/types.ts';
import { PermanentSendError, ValidationError } from '../errors.ts';
import { personalize, prepareMessage, type MessageHeaders } from '../rendering/personalizer.ts';
import { normaliseEmail } from '../subscribers/identity.ts';
import type { EditionPreviewer } from './edition-preview.ts';
import type { AuditLog } from './ports.ts';
import { AuditAction, type EditorIdentity } from './types.ts';

/** The most addresses one test send goes to. */
export const MAX_TEST_ADDRESSES = 5;
/** Put before the subject of every test send. */
export const TEST_SUBJECT_PREFIX = '[TEST] ';

export interface TestSenderDeps {
  previewer: EditionPreviewer;
  mail: MailSender;
  audit: AuditLog;
  headers: Omit<MessageHeaders, 'subject'>;
  now?: () => number;
}

/** What a test send did. */
export interface TestSendResult {
  editionId: string;
  subject: string;
  /** One per address, in the order given: SES's message id, or why SES refused it for good. */
  sent: Array<{ to: string; messageId?: string; error?: string }>;
}

/**
 * The addresses of a test send: 1 to 5 valid addresses, duplicates once.
 *
 * @throws ValidationError naming the problem.
 * @example
 * ```ts
 * testAddresses(['Ann@Example.org', 'ann@example.org']); // ['ann@example.org']
 * ```
 */
export function testAddresses(raw: readonly string[]): string[] {
  const addresses = [...new Set(raw.flatMap((r) => r.split(/[,\s]+/)).filter((r) => r !== '').map((r) => normaliseEmail(r)))];
  if (addresses.length === 0) throw new ValidationError('to: at least one address is required');
  if (addresses.length > MAX_TEST_ADDRESSES) throw new ValidationError(`to: at most ${MAX_TEST_ADDRESSES} addresses`);
  return addresses;
}

/**
 * @example
 * ```ts
 * const tests = new TestSender({ previewer, mail, audit, headers });
 * await tests.send({ job: 'daily' }, ['ann@example.org'], editor);
 * ```
 */
export class TestSender {
  readonly #d: TestSenderDeps;
  readonly #now: () => number;

  public constructor(deps: TestSenderDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * Sends the next edition of `job` (with the period end `to` of the preview it follows, so
   * that it is the very edition previewed), or the existing edition `edition`, to each address.
   */
  public async send(target: { job: JobName; to?: string } | { edition: string }, to: readonly string[], editor: EditorIdentity): Promise<TestSendResult> {
    const addresses = testAddresses(to);
    const preview = 'job' in target
      ? await this.#d.previewer.next(target.job, target.to ? { to: target.to } : {})
      : await this.#d.previewer.existing(target.edition);
    const { rendered } = preview;
    const subject = `${TEST_SUBJECT_PREFIX}${rendered.subject}`;
    const template = prepareMessage({ ...rendered, subject }, { ...this.#d.headers, subject });
    const sent: TestSendResult['sent'] = [];
    for (const [i, address] of addresses.entries()) {
      const recipient = await this.#d.previewer.recipientFor(address, rendered.editionId);
      const raw = personalize(template, recipient, {
        subscriberId: `test-${this.#now().toString(36)}-${i}`,
        date: new Date(this.#now()),
        messageIdDomain: this.#d.headers.messageIdDomain,
      });
      try {
        const messageId = await this.#d.mail.send({ to: address, raw, tags: { test: 'true', preview_of: rendered.editionId } });
        sent.push({ to: address, messageId });
      } catch (error) {
        // One refused address (MessageRejected, …) does not stop the others; anything else does.
        if (!(error instanceof PermanentSendError)) throw error;
        sent.push({ to: address, error: error.message });
      }
    }
    await this.#d.audit.record({
      at: new Date(this.#now()).toISOString(),
      actor: editor.username,
      actorSub: editor.sub,
      action: AuditAction.TEST_SENT,
      job: preview.job,
      edition: rendered.editionId,
      counts: { addresses: sent.length, refused: sent.filter((s) => s.error !== undefined).length },
      detail: preview.next ? 'the next edition' : `edition ${rendered.editionId}`,
    });
    return { editionId: rendered.editionId, subject, sent };
  }
}
