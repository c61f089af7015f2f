import { GetSendQuotaCommand, SESClient, SESServiceException, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SdkCaller } from '../../../functions/adapters/aws-sdk-caller.ts';
import { SesMailSender, classify } from '../../../functions/adapters/ses-mail-sender.ts';
import { SqsSendQueue } from '../../../functions/adapters/sqs-send-queue.ts';
import { DigestError, PermanentSendError, QuotaExhaustedError, SendOutcomeUnknownError, TransientSendError } from '../../../functions/core/errors.ts';

const sqsMock = mockClient(SQSClient);
const sesMock = mockClient(SESClient);

/** An SES error as the SDK throws it. */
function sesError(name: string, message: string, status = 400): SESServiceException {
  return new SESServiceException({ name, message, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status } });
}

describe('Class: SqsSendQueue', () => {
  const queueUrl = 'http://127.0.0.1/000000000000/SendQueue';
  beforeEach(() => sqsMock.reset());

  describe('Method: enqueue', () => {
    it('sends tasks ten to a SendMessageBatch call, with the delay when given', async () => {
      // Prepare
      sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
      const queue = new SqsSendQueue({ client: new SdkCaller(new SQSClient({ region: 'us-east-1' })), queueUrl });
      const tasks = Array.from({ length: 23 }, (_, i) => ({ editionId: 'e', subscriberId: `s_${i}` }));

      // Act
      await queue.enqueue(tasks, { delaySeconds: 900 });

      // Assess
      const calls = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
      expect(calls.map((c) => c.Entries?.length)).toEqual([10, 10, 3]);
      expect(calls[0]?.QueueUrl).toBe(queueUrl);
      expect(calls[0]?.Entries?.[0]).toEqual({ Id: '0', MessageBody: JSON.stringify(tasks[0]), DelaySeconds: 900 });
    });

    it('retries only the entries SQS refused', async () => {
      // Prepare
      sqsMock.on(SendMessageBatchCommand)
        .resolvesOnce({ Successful: [], Failed: [{ Id: '1', Code: 'InternalError', SenderFault: false, Message: 'try again' }] })
        .resolvesOnce({ Successful: [], Failed: [] });
      const queue = new SqsSendQueue({ client: new SdkCaller(new SQSClient({ region: 'us-east-1' })), queueUrl });

      // Act
      await queue.enqueue([{ editionId: 'e', subscriberId: 'a' }, { editionId: 'e', subscriberId: 'b' }]);

      // Assess
      const second = sqsMock.commandCalls(SendMessageBatchCommand)[1]?.args[0].input;
      expect(second?.Entries?.map((e) => e.MessageBody)).toEqual([JSON.stringify({ editionId: 'e', subscriberId: 'b' })]);
    });

    it('fails the page after three refusals, so the fan-out cursor does not move', async () => {
      // Prepare
      sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [{ Id: '0', Code: 'InternalError', SenderFault: false, Message: 'down' }] });
      const queue = new SqsSendQueue({ client: new SdkCaller(new SQSClient({ region: 'us-east-1' })), queueUrl });

      // Act
      const enqueued = queue.enqueue([{ editionId: 'e', subscriberId: 'a' }]);

      // Assess
      await expect(enqueued).rejects.toBeInstanceOf(DigestError);
      expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    });
  });
});

describe('Class: SesMailSender', () => {
  beforeEach(() => sesMock.reset());

  describe('Method: send', () => {
    it('sends the raw message with the configuration set and tags naming the edition and subscriber', async () => {
      // Prepare
      sesMock.on(SendRawEmailCommand).resolves({ MessageId: 'ses-1' });
      const mail = new SesMailSender({ client: new SdkCaller(new SESClient({ region: 'us-east-1' })), configurationSet: 'digest' });

      // Act
      const id = await mail.send({ to: 'ann@example.org', raw: 'Subject: hi\r\n\r\nbody', tags: { edition: 'daily-2026-11-28', subscriber: 's_1.x' } });

      // Assess
      expect(id).toBe('ses-1');
      const input = sesMock.commandCalls(SendRawEmailCommand)[0]?.args[0].input;
      expect(input?.Destinations).toEqual(['ann@example.org']);
      expect(input?.ConfigurationSetName).toBe('digest');
      expect(input?.Tags).toEqual([{ Name: 'edition', Value: 'daily-2026-11-28' }, { Name: 'subscriber', Value: 's_1_x' }]);
      expect(Buffer.from(input?.RawMessage?.Data ?? new Uint8Array()).toString()).toBe('Subject: hi\r\n\r\nbody');
    });

    it('throws the classified error', async () => {
      // Prepare
      sesMock.on(SendRawEmailCommand).rejects(sesError('MessageRejected', 'Email address is not verified.'));
      const mail = new SesMailSender({ client: new SdkCaller(new SESClient({ region: 'us-east-1' })) });

      // Act
      const sent = mail.send({ to: 'x@example.org', raw: 'x', tags: {} });

      // Assess
      await expect(sent).rejects.toBeInstanceOf(PermanentSendError);
    });
  });

  describe('Method: getQuota', () => {
    it('reads GetSendQuota and caches it', async () => {
      // Prepare
      sesMock.on(GetSendQuotaCommand).resolves({ MaxSendRate: 14, Max24HourSend: 50_000, SentLast24Hours: 12 });
      const mail = new SesMailSender({ client: new SdkCaller(new SESClient({ region: 'us-east-1' })) });

      // Act
      const first = await mail.getQuota();
      const second = await mail.getQuota();

      // Assess
      expect(first).toEqual({ maxSendRate: 14, max24HourSend: 50_000, sentLast24Hours: 12 });
      expect(second).toEqual(first);
      expect(sesMock.commandCalls(GetSendQuotaCommand)).toHaveLength(1);
    });
  });
});

describe('Function: classify', () => {
  it('treats "Maximum sending rate exceeded" throttling as transient', () => {
    expect(classify(sesError('Throttling', 'Maximum sending rate exceeded.'))).toBeInstanceOf(TransientSendError);
  });

  it('treats "Daily message quota exceeded" as the quota running out', () => {
    expect(classify(sesError('Throttling', 'Daily message quota exceeded.'))).toBeInstanceOf(QuotaExhaustedError);
  });

  it.each(['MessageRejected', 'InvalidParameterValue', 'MailFromDomainNotVerifiedException', 'ConfigurationSetDoesNotExistException', 'AccountSendingPausedException'])(
    'treats %s as permanent',
    (name) => {
      expect(classify(sesError(name, 'no'))).toBeInstanceOf(PermanentSendError);
    },
  );

  it('treats 5xx answers, and network errors before the request left, as transient', () => {
    expect(classify(sesError('InternalFailure', 'An internal failure occurred.', 500))).toBeInstanceOf(TransientSendError);
    expect(classify(sesError('ServiceUnavailable', 'Service is unavailable.', 503))).toBeInstanceOf(TransientSendError);
    expect(classify(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }))).toBeInstanceOf(TransientSendError);
    const connectTimeout = '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 1000 ms.';
    expect(classify(Object.assign(new Error(connectTimeout), { name: 'TimeoutError' }))).toBeInstanceOf(TransientSendError);
  });

  it('treats an aborted call, a timed-out answer and a dropped connection as an unknown outcome', () => {
    // Prepare: what the SDK throws when the call deadline aborts it, when requestTimeout fires, and when the socket resets
    const aborted = Object.assign(new Error('Request aborted'), { name: 'AbortError', $metadata: { attempts: 1, totalRetryDelay: 0 } });
    const timedOut = Object.assign(new Error('a request has exceeded the configured 10000 ms requestTimeout.'), { name: 'TimeoutError', code: 'ETIMEDOUT' });
    const reset = Object.assign(new Error('read ECONNRESET'), { name: 'TimeoutError', code: 'ECONNRESET' });
    const hangUp = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const unreadable = Object.assign(new Error('aborted'), { code: 'ECONNRESET', $metadata: { httpStatusCode: 200 } }); // SES said 200, the body broke

    // Act
    const classified = [aborted, timedOut, reset, hangUp, unreadable].map(classify);

    // Assess
    for (const error of classified) expect(error).toBeInstanceOf(SendOutcomeUnknownError);
    expect(classified[0]?.message).toBe('AbortError: Request aborted');
    expect(classified[0]?.cause).toBe(aborted);
  });

  it('keeps the SES error name and message, and the error as cause', () => {
    const original = sesError('MessageRejected', 'Address blacklisted.');
    const error = classify(original);
    expect(error.message).toBe('MessageRejected: Address blacklisted.');
    expect(error.cause).toBe(original);
  });
});
