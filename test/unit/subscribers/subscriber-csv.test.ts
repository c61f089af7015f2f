import { describe, expect, it } from 'vitest';
import { parseSubscribersCsv, toSubscribersCsv } from '../../../functions/core/subscribers/subscriber-csv.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';

const HEADER = 'email,name,newsletter,alerts,keywords';

describe('Function: parseSubscribersCsv', () => {
  it('parses valid rows with their line numbers', () => {
    // Prepare
    const text = `${HEADER}\nAnn@Example.org,Ann,daily,none,climate;energy\nbob@example.org,,weekly,hourly,\n`;

    // Act
    const { rows, errors } = parseSubscribersCsv(text);

    // Assess
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, email: 'ann@example.org', name: 'Ann', newsletter: 'daily', alerts: 'none', keywords: ['climate', 'energy'] },
      { line: 3, email: 'bob@example.org', newsletter: 'weekly', alerts: 'hourly', keywords: [] },
    ]);
  });

  it('supports quoted fields with commas and doubled quotes, CRLF and a BOM', () => {
    // Prepare
    const text = `\ufeff${HEADER}\r\n"ann@example.org","Lee, Ann ""AL""",daily,instant,"x; b ;x"\r\n`;

    // Act
    const { rows, errors } = parseSubscribersCsv(text);

    // Assess
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({ line: 2, name: 'Lee, Ann "AL"', keywords: ['x', 'b'] });
  });

  it('accepts the columns in any order and an optional status column', () => {
    // Prepare
    const text = 'Keywords,EMAIL,alerts,newsletter,name,status\nx,ann@example.org,none,weekly,Ann,unsubscribed\n';

    // Act
    const { rows, errors } = parseSubscribersCsv(text);

    // Assess
    expect(errors).toEqual([]);
    expect(rows[0]).toEqual({
      line: 2, email: 'ann@example.org', name: 'Ann', newsletter: 'weekly', alerts: 'none', keywords: ['x'], status: 'unsubscribed',
    });
  });

  it('reports invalid rows with line numbers and keeps the valid ones', () => {
    // Prepare
    const text = [
      HEADER,
      'ok1@example.org,A,daily,none,',
      'not-an-address,B,daily,none,',
      'ok2@example.org,C,monthly,none,',
      'ok3@example.org,D,daily,sometimes,',
      '"ok4@example.org","Line',
      'break",daily,none,',
      'ok5@example.org,E\u0007,daily,none,',
      'ok6@example.org,F,daily,none',
      'ok7@example.org,"G"x,daily,none,',
      '',
      'OK1@example.org,dup,daily,none,',
      'ok8@example.org,H,weekly,daily,k',
    ].join('\n');

    // Act
    const { rows, errors } = parseSubscribersCsv(text);

    // Assess
    expect(rows.map((r) => [r.line, r.email])).toEqual([
      [2, 'ok1@example.org'],
      [13, 'ok8@example.org'],
    ]);
    expect(errors).toEqual([
      { line: 3, reason: 'email: not a valid address' },
      { line: 4, reason: expect.stringContaining('newsletter: unknown value "monthly"') },
      { line: 5, reason: expect.stringContaining('alerts: unknown value "sometimes"') },
      { line: 6, reason: 'line break inside a quoted field' },
      { line: 8, reason: 'name: contains a control character' },
      { line: 9, reason: 'expected 5 fields, found 4' },
      { line: 10, reason: 'text after a closing quote' },
      { line: 12, reason: 'email: duplicate of line 2' },
    ]);
  });

  it.each([
    ['email,name,newsletter,alerts\n', 'missing column(s): keywords'],
    ['email,name,newsletter,alerts,keywords,extra\n', 'unknown column "extra"'],
    ['email,email,name,newsletter,alerts,keywords\n', 'a column appears twice'],
  ])('refuses the header of %j', (text, reason) => {
    // Prepare & Act
    const { rows, errors } = parseSubscribersCsv(`${text}a@example.org,,daily,none,`);

    // Assess
    expect(rows).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.line).toBe(1);
    expect(errors[0]?.reason).toContain(reason);
  });

  it('refuses an empty file', () => {
    // Prepare & Act
    const { rows, errors } = parseSubscribersCsv('\n\n');

    // Assess
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ line: 1, reason: expect.stringContaining('missing header') }]);
  });

  it('reports an unterminated quote', () => {
    // Prepare & Act
    const { errors } = parseSubscribersCsv(`${HEADER}\na@example.org,"Ann,daily,none,`);

    // Assess
    expect(errors).toEqual([{ line: 2, reason: 'unterminated quoted field' }]);
  });
});

describe('Function: toSubscribersCsv', () => {
  it('writes the import format plus status, quoting where needed, and parses back', () => {
    // Prepare
    const subscriber: Subscriber = {
      id: 's_1', email: 'ann@example.org', name: 'Lee, "Ann"', status: 'unsubscribed', newsletter: 'daily',
      alerts: 'hourly', keywords: ['x', 'b c'], createdAt: 't', updatedAt: 't',
    };

    // Act
    const csv = toSubscribersCsv([subscriber]);
    const parsed = parseSubscribersCsv(csv);

    // Assess
    expect(csv).toBe('email,name,newsletter,alerts,keywords,status,timezone,alert_hour\nann@example.org,"Lee, ""Ann""",daily,hourly,x;b c,unsubscribed,,\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0]).toMatchObject({ email: 'ann@example.org', name: 'Lee, "Ann"', status: 'unsubscribed', keywords: ['x', 'b c'] });
  });

  it('leaves the header out when asked', () => {
    // Prepare & Act
    const csv = toSubscribersCsv([], { header: false });

    // Assess
    expect(csv).toBe('');
  });
});
