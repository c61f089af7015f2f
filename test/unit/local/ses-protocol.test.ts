import { describe, expect, it } from 'vitest';
import { FaultPlan } from '../../../infra/local/ses-faults.ts';
import { headerRecipients, htmlPart, parseQueryBody, readSendRawEmail, sendEvent } from '../../../infra/local/ses-protocol.ts';

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
    ['after a look-alike key with the same ending', [['XRawMessage.Data', data.slice(4)], ['RawMessage.Data', data]]],
    ['not base64 (spaces, letters beyond ASCII)', [['Action', 'SendRawEmail'], ['RawMessage.Data', 'a b+c/é%'], ['Source', 'Zoë <z@example.org>']]],
    ['empty', [['Action', 'SendRawEmail'], ['RawMessage.Data', ''], ['Version', '2010-12-01']]],
  ] as [string, [string, string][]][])('reads what URLSearchParams reads when RawMessage.Data is %s', (_, fields) => {
    // Prepare
    const body = Buffer.from(form(fields), 'utf8');

    // Act
    const params = parseQueryBody(body);

    // Assess
    const expected = new URLSearchParams(body.toString('utf8'));
    expect(Object.fromEntries(params)).toEqual(Object.fromEntries(expected));
  });

  it('reads a field left raw, not percent-encoded, beyond ASCII as URLSearchParams does', () => {
    // Prepare: UTF-8 bytes as they are, a '+' for a space and a stray '%' in the value.
    const body = Buffer.from('Action=SendRawEmail&RawMessage.Data=SGk=é+x%&Source=Zoë', 'utf8');

    // Act
    const params = parseQueryBody(body);

    // Assess
    expect(Object.fromEntries(params)).toEqual(Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
  });

  it('reads what URLSearchParams reads for 500 seeded random bodies', () => {
    // Prepare: fields made of pieces a form body can hold, well- or ill-formed.
    const pieces = ['A', 'z', '0', '+', '/', '=', '%2B', '%2F', '%3D', '%2b', '%41', '%', '%Z', '%C3%A9', 'é', '陈', ' ', '.', 'RawMessage.Data'];
    let seed = 15;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const text = (max: number) => Array.from({ length: random(max) }, () => pieces[random(pieces.length)]).join('');
    const keys = ['Action', 'RawMessage.Data', 'Source', 'XRawMessage.Data', 'Destinations.member.1', ''];
    for (let i = 0; i < 500; i++) {
      // RawMessage.Data once at most (given twice, which one counts is left undefined).
      let data = 0;
      const fields = Array.from({ length: 1 + random(5) }, () => {
        let key = keys[random(keys.length)];
        if (key === 'RawMessage.Data' && data++ > 0) key = 'Source';
        return `${key}=${text(30)}`;
      });
      const body = Buffer.from(fields.join(random(4) === 0 ? '&&' : '&'), 'utf8');

      // Act
      const params = parseQueryBody(body);

      // Assess
      const expected = new URLSearchParams(body.toString('utf8'));
      expect(params.get('RawMessage.Data'), body.toString('utf8')).toBe(expected.get('RawMessage.Data'));
      params.delete('RawMessage.Data');
      expected.delete('RawMessage.Data');
      expect([...params], body.toString('utf8')).toEqual([...expected]);
    }
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

describe('Function: headerRecipients', () => {
  it.each([
    ['CRLF', '\r\n'],
    ['LF', '\n'],
  ])('reads To, Cc and Bcc (folded too) of the header section only, lines ending in %s', (_, eol) => {
    // Prepare: a To line in the body must not count.
    const raw = Buffer.from([
      'From: d@example.org', 'To: "Doe, J" <j@x.org>,', ' k@x.org', 'Cc: c@x.org', 'Subject: Hi', '', 'To: body@x.org', 'Bcc: body2@x.org', '',
    ].join(eol));

    // Act
    const recipients = headerRecipients(raw);

    // Assess
    expect(recipients).toEqual(['j@x.org', 'k@x.org', 'c@x.org']);
  });

  it('reads a message without a body (no empty line) to its end', () => {
    // Act
    const recipients = headerRecipients(Buffer.from('Subject: Hi\r\nTo: ann@example.org\r\n'));

    // Assess
    expect(recipients).toEqual(['ann@example.org']);
  });
});

describe('Function: htmlPart', () => {
  it('decodes a quoted-printable HTML part: soft line breaks, escapes, UTF-8', () => {
    // Prepare
    const raw = Buffer.from([
      'Content-Type: multipart/alternative; boundary="b"', '', '--b', 'Content-Type: text/plain', '', 'Hi', '--b',
      'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '',
      '<p>Zo=C3=AB</p><a href=3D"https://x.example/a">A</a><a ses:no-track href=3D"ht=', 'tps://x.example/b">B</a>', '--b--', '',
    ].join('\r\n'), 'latin1');

    // Act
    const part = htmlPart(raw);

    // Assess
    expect(part?.html).toBe('<p>Zoë</p><a href="https://x.example/a">A</a><a ses:no-track href="https://x.example/b">B</a>');
    const replaced = htmlPart(part?.replace('<p>new</p>') ?? Buffer.alloc(0));
    expect(replaced?.html).toBe('<p>new</p>');
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
