import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import type { MailSender } from '../../../functions/core/delivery/ports.ts';
import type { OutgoingMessage } from '../../../functions/core/delivery/types.ts';
import type { Branding } from '../../../functions/core/rendering/types.ts';
import { SesConfirmationMailer } from '../../../functions/adapters/ses-confirmation-mailer.ts';
import { composeMessage } from '../../../functions/core/rendering/mime.ts';

const branding: Branding = {
  siteName: 'Café News', siteUrl: 'https://news.example.org', primaryColor: '#0b5394', textColor: '#1f2328',
  backgroundColor: '#f4f5f7', fromName: 'Café News', fromAddress: 'news@example.org', postalAddress: '1 Main St',
};

describe('Function: composeMessage', () => {
  it('builds a multipart/alternative message a MIME parser reads back', async () => {
    // Prepare & Act
    const raw = composeMessage({
      fromName: 'Café News', fromAddress: 'news@example.org', to: 'ann@example.org', subject: 'Bestätigen Sie\r\nBcc: x@example.org',
      text: 'Hello Ann,\nconfirm: http://127.0.0.1:3000/confirm?token=a.b', html: '<p>Hello <b>Ann</b></p>', messageIdDomain: 'example.org',
      date: new Date('2030-01-01T00:00:00Z'),
    });
    const mail = await simpleParser(raw);

    // Assess
    expect(mail.from?.value[0]).toEqual({ address: 'news@example.org', name: 'Café News' });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.address : '').toBe('ann@example.org');
    expect(mail.subject).toBe('Bestätigen Sie Bcc: x@example.org');
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.text?.trim()).toBe('Hello Ann,\nconfirm: http://127.0.0.1:3000/confirm?token=a.b');
    expect(mail.html).toBe('<p>Hello <b>Ann</b></p>');
    expect(raw.split('\r\n').every((line) => line.length <= 998)).toBe(true);
  });
});

describe('Class: SesConfirmationMailer', () => {
  it('renders with the branding and sends through the MailSender', async () => {
    // Prepare
    const sent: OutgoingMessage[] = [];
    const sender: MailSender = { send: async (m) => { sent.push(m); return 'id-1'; }, getQuota: async () => ({ maxSendRate: 1, max24HourSend: 1, sentLast24Hours: 0 }) };
    const mailer = new SesConfirmationMailer({
      branding, language: 'en', sender, messageIdDomain: 'example.org',
      render: async ({ confirmUrl }) => ({ subject: 'Confirm', text: `Hello, ${confirmUrl}`, html: `<a href="${confirmUrl}">Confirm</a>` }),
    });

    // Act
    await mailer.sendConfirmation('ann@example.org', 'http://127.0.0.1:3000/confirm?token=t.s');

    // Assess
    expect(sent).toHaveLength(1);
    expect(sent[0]?.to).toBe('ann@example.org');
    expect(sent[0]?.tags).toEqual({ type: 'confirmation' });
    const mail = await simpleParser(sent[0]!.raw);
    expect(mail.text?.trim()).toBe('Hello, http://127.0.0.1:3000/confirm?token=t.s');
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0]?.name : 'missing').toBe('');
  });
});
