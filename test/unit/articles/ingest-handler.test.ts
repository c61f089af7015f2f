/**
 * The `ingest` handler on an S3 event whose middle record cannot be ingested nor recorded: the
 * other records are still handled, then the invocation fails, so that Lambda retries the event
 * and finally hands it to the failure destination.
 */
import type { S3Event } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IngestFailedError } from '../../../functions/core/errors.ts';

const service = vi.hoisted(() => ({ ingestObject: vi.fn(), removeObject: vi.fn() }));
vi.mock('../../../functions/wiring/ingest.ts', () => ({ ingestService: () => service }));
const { handler } = await import('../../../functions/ingest.ts');

const record = (eventName: string, key: string) => ({ eventName, s3: { object: { key, size: 10 } } });

describe('Function: ingest handler', () => {
  beforeEach(() => {
    service.ingestObject.mockReset();
    service.removeObject.mockReset();
  });

  it('handles every record, then fails naming the object that could not be recorded', async () => {
    // Prepare
    service.ingestObject.mockImplementation(async ({ key }: { key: string }) => {
      if (key === 'news/b.json') throw new IngestFailedError([key], { cause: new Error('table unavailable') });
      return { key, outcome: 'created', picks: 0 };
    });
    service.removeObject.mockResolvedValue({ key: 'news/c.json', outcome: 'removed', picks: 0 });
    const event = {
      Records: [record('ObjectCreated:Put', 'news/a.json'), record('ObjectCreated:Put', 'news/b.json'), record('ObjectRemoved:Delete', 'news/c.json')],
    } as unknown as S3Event;

    // Act
    const error = await handler(event).catch((e: unknown) => e);

    // Assess
    expect(service.ingestObject.mock.calls.map(([info]) => info)).toEqual([
      { key: 'news/a.json', size: 10 },
      { key: 'news/b.json', size: 10 },
    ]);
    expect(service.removeObject).toHaveBeenCalledWith('news/c.json');
    expect(error).toBeInstanceOf(IngestFailedError);
    expect((error as IngestFailedError).keys).toEqual(['news/b.json']);
    expect((error as Error).message).toBe('1 object(s) could not be ingested nor quarantined, first news/b.json: Error: table unavailable');
  });

  it('answers the results when every record was handled (quarantined ones included)', async () => {
    // Prepare
    service.ingestObject.mockResolvedValue({ key: 'news/a b.json', outcome: 'failed', picks: 0, reason: 'internal: x', attempts: 1 });
    const event = { Records: [record('ObjectCreated:Put', 'news/a+b.json'), record('ObjectCreated:Put', 'news/2026/')] } as unknown as S3Event;

    // Act
    const result = await handler(event);

    // Assess
    expect(service.ingestObject).toHaveBeenCalledTimes(1);
    expect(service.ingestObject).toHaveBeenCalledWith({ key: 'news/a b.json', size: 10 });
    expect(result.results).toEqual([{ key: 'news/a b.json', outcome: 'failed', picks: 0, reason: 'internal: x', attempts: 1 }]);
  });
});
