/**
 * Adapter: the RateLimiter port as fixed-window counters on SubscribersTable:
 * `pk RATE#<key>`, `sk W#<window start, epoch seconds>`, `count`, `expiresAt` (for a TTL).
 */
import { UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { RateLimitDecision, RateLimiter } from '../core/subscribers/ports.ts';

/**
 * Fixed-window counters on DynamoDB: one atomic ADD per hit.
 *
 * @example
 * ```ts
 * const limiter = new DynamoDbRateLimiter({ tableName: config.SUBSCRIBERS_TABLE, client });
 * const { allowed } = await limiter.hit(`ip#${ipHash(ip, secret)}`, 10, 3600);
 * ```
 */
export class DynamoDbRateLimiter implements RateLimiter {
  readonly #tableName: string;
  readonly #client: AwsCaller;

  public constructor(options: { tableName: string; client: AwsCaller }) {
    this.#tableName = options.tableName;
    this.#client = options.client;
  }

  public async hit(key: string, limit: number, windowSeconds: number, now: Date = new Date()): Promise<RateLimitDecision> {
    const seconds = Math.floor(now.getTime() / 1000);
    const windowStart = seconds - (seconds % windowSeconds);
    const windowEnd = windowStart + windowSeconds;
    const result = await this.#client.send(
      new UpdateCommand({
        TableName: this.#tableName,
        Key: { pk: `RATE#${key}`, sk: `W#${windowStart}` },
        UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':one': 1, ':expires': windowEnd + 60 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const raw = result.Attributes?.count;
    const count = typeof raw === 'number' ? raw : Number(raw ?? 1);
    return { allowed: count <= limit, remaining: Math.max(0, limit - count), retryAfterSeconds: windowEnd - seconds };
  }
}
