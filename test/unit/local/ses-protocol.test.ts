import { describe, expect, it } from 'vitest';
import { parseQueryBody, readSendRawEmail } from '../../../infra/local/ses-protocol.ts';

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
