/**
 * `digest quarantine list` as a user runs it beside `npm start`: the command reads the
 * running stack's environment from `.local-state/stack.json` and lists every quarantined
 * object with its time, key and reason, newest first.
 *
 * The state file is written here the way `npm start` writes it (this process's pid, so the
 * command finds it alive) and removed after. When a real `npm start` is running, its state
 * file is left alone and the test is skipped.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { digest, lastLine, ROOT } from '../helpers/cli.ts';
import { getConfig } from '../../functions/core/config.ts';
import type { QuarantineRecord } from '../../functions/core/articles/types.ts';
import { handler as ingestHandler } from '../../functions/ingest.ts';
import { localAppEnv } from '../../infra/local/app-env.ts';
import { forwardS3Events } from '../../infra/local/lambda-driver.ts';
import { uploadContent, useStack } from '../../infra/local/local-run.ts';
import { clearLocalState, readLocalState, writeLocalState } from '../../infra/local/local-state.ts';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.ts';


/** A running `npm start` of someone else: its state file must not be touched. */
const foreign = await readLocalState();
const otherStackRuns = foreign !== undefined && foreign.pid !== process.pid;

const FILES: Record<string, string> = {
  'news/good.json': '{"title": "A good story", "body": "Text."}',
  'news/no-title.json': '{"body": "Text without a title."}',
  'news/report final.pdf': '%PDF-1.4',
  'pages/headline-only.txt': 'Just a headline\n',
};

const EXPECTED: Array<[string, string]> = [
  ['news/no-title.json', 'JSON article has no title'],
  ['news/report final.pdf', 'unsupported file type .pdf'],
  ['pages/headline-only.txt', "page export has only a headline: no body paragraphs and no editor's-choice teasers"],
];

/** The listed records: one `at<TAB>key<TAB>reason` line each. */
function parseList(stdout: string): QuarantineRecord[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const [at = '', key = '', reason = ''] = line.split('\t');
      return { at, key, reason };
    });
}

describe.skipIf(otherStackRuns)('CLI: digest quarantine list', () => {
  let stack: LocalStack;
  let dir: string;

  beforeAll(async () => {
    stack = await startLocalStack({ forwardToMailbox: false });
    const env = localAppEnv(stack, { httpPort: 3000, logLevel: 'SILENT' });
    useStack(env);
    dir = await mkdtemp(join(tmpdir(), 'quarantine-list-'));
    for (const [key, body] of Object.entries(FILES)) {
      await mkdir(dirname(join(dir, key)), { recursive: true });
      await writeFile(join(dir, key), body);
    }
    await uploadContent(stack, dir);
    await writeLocalState(env);
  });

  afterAll(async () => {
    await clearLocalState();
    await rm(dir, { recursive: true, force: true });
    await stack?.stop();
  });

  it('lists every quarantined object of the running stack with its time, key and reason', async () => {
    // Act
    const result = await digest(['quarantine', 'list']);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    const records = parseList(result.stdout);
    expect(records.map((r): [string, string] => [r.key, r.reason]).sort()).toEqual(EXPECTED);
    for (const r of records) expect(new Date(r.at).toISOString()).toBe(r.at);
    const times = records.map((r) => r.at);
    expect(times).toEqual([...times].sort().reverse());
    expect(result.stderr).toContain('3 object(s) in quarantine');
  });

  it('no longer lists an object once a fixed version is uploaded', async () => {
    // Prepare
    const s3 = new S3Client({ region: getConfig().AWS_REGION, endpoint: stack.endpoints.s3, forcePathStyle: true });
    const events = forwardS3Events(stack, ingestHandler);
    try {
      await s3.send(new PutObjectCommand({ Bucket: getConfig().CONTENT_BUCKET, Key: 'news/no-title.json', Body: '{"title": "Now titled", "body": "Text."}' }));
      await events.flush();
    } finally {
      events.stop();
      s3.destroy();
    }

    // Act
    const result = await digest(['quarantine', 'list']);

    // Assess
    expect(result.code, result.stderr).toBe(0);
    expect(parseList(result.stdout).map((r) => r.key).sort()).toEqual(['news/report final.pdf', 'pages/headline-only.txt']);
    expect(result.stderr).toContain('2 object(s) in quarantine');
  });
});
