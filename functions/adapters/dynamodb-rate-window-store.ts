/**
 * RateWindowStore on the deliveries table: one item per second (pk RATE#ses, sk <second>)
 * whose `used` counter grows by conditional ADD up to the account's rate; TTL removes them.
 */
import { isConditionFailure } from './dynamodb-support.ts';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RateWindowStore } from '../core/delivery/ports.ts';

/**
 * @example
 * ```ts
 * const windows = new DynamoDbRateWindowStore({ client: dynamoDocumentClient(config), tableName: config.DELIVERIES_TABLE });
 * ```
 */
export class DynamoDbRateWindowStore implements RateWindowStore {
  readonly #ddb: DynamoDBDocumentClient;
  readonly #table: string;

  public constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async take(epochSecond: number, wanted: number, max: number): Promise<number> {
    let ask = Math.min(wanted, max);
    for (let attempt = 0; attempt < 2 && ask > 0; attempt++) {
      try {
        await this.#ddb.send(
          new UpdateCommand({
            TableName: this.#table,
            Key: { pk: 'RATE#ses', sk: String(epochSecond) },
            UpdateExpression: 'ADD used :n SET expiresAt = :exp',
            ConditionExpression: 'attribute_not_exists(used) OR used <= :limit',
            ExpressionAttributeValues: { ':n': ask, ':limit': max - ask, ':exp': epochSecond + 3600 },
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return ask;
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        const used = Number((error.Item?.used as { N?: string } | undefined)?.N ?? max);
        ask = Math.max(0, max - used);
      }
    }
    return 0;
  }
}
