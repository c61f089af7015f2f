/**
 * Writes a large subscriber list to stdout, for measuring `digest subscribers import`:
 * a Mailchimp audience export (the default) or our own format, with varied names (Latin,
 * Armenian, Georgian, Cyrillic), one bad address every 10,000 rows and a name that breaks the
 * input rules every 25,000 rows.
 *
 *   npx tsx bench/subscribers-csv.ts 1000000 [mailchimp|news-digest] > /tmp/subscribers.csv
 *
 * docs/performance.md, "Importing subscribers", has the figures.
 */
import { once } from 'node:events';

const rows = Number(process.argv[2] ?? 1_000_000);
const format = process.argv[3] ?? 'mailchimp';
if (!Number.isSafeInteger(rows) || rows <= 0 || !['mailchimp', 'news-digest'].includes(format)) {
  process.stderr.write('usage: tsx bench/subscribers-csv.ts ROWS [mailchimp|news-digest]\n');
  process.exit(2);
}

const FIRST = ['Ann', 'Bob', 'Zoë', 'Davit', 'Անի', 'Նարեկ', 'ნინო', 'გიორგი', 'Ирина', 'Jean-Luc', "O'Neil", 'María José'];
const LAST = ['Lee', 'Petrosyan', 'Beridze', 'Иванова', 'Müller', 'van der Berg', 'Smith', 'Կարապետյան', ''];
const KEYWORDS = ['energy', 'climate', 'Armenia', 'Georgia', 'elections', 'COVID-19', 'Yerevan', 'Tbilisi metro'];

const header = format === 'mailchimp'
  ? '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","OPTIN_IP","CONFIRM_TIME","CONFIRM_IP","LATITUDE","LONGITUDE","GMTOFF","DSTOFF","TIMEZONE","CC","REGION","LAST_CHANGED","LEID","EUID","NOTES"'
  : 'email,name,newsletter,alerts,keywords';

function line(i: number): string {
  const email = i % 10_000 === 7 ? `broken-address-${i}` : `reader.${i}@example${i % 97}.org`;
  const first = i % 25_000 === 11 ? 'Visit evil.example' : FIRST[i % FIRST.length]!;
  const last = LAST[(i * 7) % LAST.length]!;
  if (format === 'mailchimp') {
    return `"${email}","${first}","${last}",${1 + (i % 5)},"2024-01-01 10:00:00",,"2024-01-01 10:01:00",,,,,,,,,"2024-02-01 00:00:00",${i},${i.toString(36)},`;
  }
  const keywords = [KEYWORDS[i % KEYWORDS.length], KEYWORDS[(i * 3) % KEYWORDS.length]].join(';');
  return `${email},"${`${first} ${last}`.trim()}",${i % 3 === 0 ? 'weekly' : 'daily'},${i % 4 === 0 ? 'hourly' : 'none'},${keywords}`;
}

let chunk = `${header}\n`;
for (let i = 0; i < rows; i += 1) {
  chunk += `${line(i)}\n`;
  if (chunk.length > 1 << 16) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
    chunk = '';
  }
}
process.stdout.write(chunk);
