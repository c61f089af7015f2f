/**
 * SendSlotStore on the deliveries table: one item per sequence (pk RATE#ses, sk
 * SEQ#<spacing>) whose `used` counter is the next free slot. A claim is one `ADD`; only when
 * the sequence lags behind the clock (it was idle) a second, conditional write moves it to
 * the present. TTL removes a sequence a day after its last claim.
 */
import { isConditionFailure } from './dynamodb-support.ts';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SendSlotStore } from '../core/delivery/ports.ts';

const KEEP_S = 86_400;

/**
 * @example
 * ```ts
 * const slots = new DynamoDbSendSlotStore({ client: dynamoDocumentClient(config), tableName: config.DELIVERIES_TABLE });
 * const first = await slots.claim('SEQ#71429us', 4, Math.ceil(Date.now() / 71.429));
 * ```
 */
export class DynamoDbSendSlotStore implements SendSlotStore {
  readonly #ddb: DynamoDBDocumentClient;
  readonly #table: string;

  public constructor(options: { client: DynamoDBDocumentClient; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async claim(sequence: string, count: number, from: number): Promise<number> {
    const key = { pk: 'RATE#ses', sk: sequence };
    const expiresAt = Math.floor(Date.now() / 1000) + KEEP_S;
    const out = await this.#ddb.send(
      new UpdateCommand({
        TableName: this.#table,
        Key: key,
        UpdateExpression: 'ADD used :n SET expiresAt = :exp',
        ExpressionAttributeValues: { ':n': count, ':exp': expiresAt },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const end = Number(out.Attributes?.used ?? count);
    const first = end - count;
    if (first >= from) return first;
    // The sequence lags behind the clock: move it to `from`, unless someone claimed meanwhile.
    try {
      await this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET used = :to, expiresAt = :exp',
          ConditionExpression: 'used = :seen',
          ExpressionAttributeValues: { ':to': from + count, ':seen': end, ':exp': expiresAt },
        }),
      );
      return from;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return first;
    }
  }
}
