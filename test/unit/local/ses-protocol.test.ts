import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../infra/local/ses-faults.ts';
import { parseQueryBody, readSendRawEmail, sendEvent } from '../../../infra/local/ses-protocol.ts';

const form = (fields: [string, string][]) => new URLSearchParams(fields).toString();
// Base64 with '+', '/' and '=' in it, as the SDK percent-encodes it.
const data = Buffer.from('Subject: ~é?>\r\nTo: ann@example.org\r\n\r\nHi ÿ\r\n', 'utf8').toString('base64');

describe('Function: parseQueryBody', () => {
  it.each([
    ['in the middle', [['Action', 'SendRawEmail'], ['RawMessage.Data', data], ['Destinations.member.1', 'ann+news@example.org'], ['Tags.member.1.Name', 'edition']]],
    ['first', [['RawMessage.Data', data], ['Action', 'SendRawEmail']]],
    ['last', [['Action', 'SendRawEmail'], ['Source', 'Digest <digest@example.org>'], ['RawMessage.Data', data]]],
    ['absent', [['Action', 'GetSendQuota'], ['Version', '2010-12-01']]],
    ['a look-alike key', [['Action', 'SendRawEmail'], ['XRawMessage.Data', 'x%y'], ['RawMessage.Data', data]]],
  ] as [string, [string, string][]][])('reads what URLSearchParams reads when RawMessage.Data is %s', (_, fields) => {
    // Prepare
    const body = Buffer.from(form(fields), 'utf8');

    // Act
    const params = parseQueryBody(body);

    // Assess
    const expected = new URLSearchParams(body.toString('utf8'));
    expect(Object.fromEntries(params)).toEqual(Object.fromEntries(expected));
  });

  it('decodes a message whose base64 is percent-encoded in an unusual way', () => {
    // Prepare: lower-case escapes, and an escaped letter.
    const body = Buffer.from(`Action=SendRawEmail&RawMessage.Data=${data.replace(/\+/g, '%2b').replace(/=/g, '%3d').replace('U', '%55')}`);

    // Act
    const email = readSendRawEmail(parseQueryBody(body));

    // Assess
    expect(email?.raw.toString('utf8')).toBe(Buffer.from(data, 'base64').toString('utf8'));
    expect(email?.destinations).toEqual(['ann@example.org']);
  });
});

describe('Function: sendEvent', () => {
  it('is the Send event SES publishes for a configuration set: message id, destination, headers and tags as lists', () => {
    // Prepare
    const raw = Buffer.from('From: "Digest" <digest@example.org>\r\nTo: "Ann" <ann@example.org>\r\nSubject: News\r\n of the day\r\nMessage-ID: <e.s@example.org>\r\n\r\nHi\r\n');

    // Act
    const event = sendEvent({
      messageId: 'ses-1', raw, destinations: ['ann@example.org'], tags: { edition: 'daily-2026-11-28', subscriber: 's_1' },
      configurationSet: 'digest', at: Date.parse('2026-11-28T06:00:01.000Z'),
    });

    // Assess
    expect(event).toMatchObject({
      eventType: 'Send',
      send: {},
      mail: {
        timestamp: '2026-11-28T06:00:01.000Z',
        messageId: 'ses-1',
        source: 'digest@example.org',
        destination: ['ann@example.org'],
        commonHeaders: { from: ['"Digest" <digest@example.org>'], to: ['"Ann" <ann@example.org>'], subject: 'News of the day', messageId: 'ses-1' },
        tags: { 'ses:configuration-set': ['digest'], 'ses:from-domain': ['example.org'], edition: ['daily-2026-11-28'], subscriber: ['s_1'] },
      },
    });
    expect(event.mail.headers).toContainEqual({ name: 'Message-ID', value: '<e.s@example.org>' });
  });
});

describe('Class: FaultPlan', () => {
  it('hangs calls to hang addresses without accepting them, and holds the answer of accepted calls to hold addresses', () => {
    // Prepare
    const plan = new FaultPlan({ hangAddresses: ['Hung@example.org'], holdAddresses: ['held@example.org'], quotaRemaining: 5 });

    // Act
    const outcomes = [plan.decide(['hung@example.org']), plan.decide(['held@example.org']), plan.decide(['ann@example.org'])];

    // Assess
    expect(outcomes).toEqual([{ kind: 'hang' }, { kind: 'held' }, { kind: 'accepted' }]);
    expect(plan.max24HourSend(2)).toBe(5); // the held message counted against the quota, the hung one did not
    expect(plan.get()).toMatchObject({ hangAddresses: ['Hung@example.org'], holdAddresses: ['held@example.org'] });
  });
});
