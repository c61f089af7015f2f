/**
 * SendSlotStore on the deliveries table: one item per sequence (pk RATE#ses, sk
 * SEQ#<spacing>) whose `used` counter is the next free slot. A claim is one `ADD`; only when
 * the sequence lags behind the clock (it was idle) a second, conditional write moves it to
 * the present. A sequence that lagged at this store's last claim of it (the workers send
 * below the account's rate, so every claim finds it behind) is moved first, in one
 * conditional write, and the `ADD` follows only if it was no longer behind: one write a
 * claim instead of two while the rate is not what holds the sends back.
 * TTL removes a sequence a day after its last claim.
 */
import { isConditionFailure } from './dynamodb-support.ts';
import { UpdateCommand, type AwsCaller } from './aws-commands.ts';
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
  readonly #ddb: AwsCaller;
  readonly #table: string;
  /** Sequences that lagged behind the clock at their last claim here. */
  readonly #lagging = new Set<string>();

  public constructor(options: { client: AwsCaller; tableName: string }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
  }

  public async claim(sequence: string, count: number, from: number): Promise<number> {
    const key = { pk: 'RATE#ses', sk: sequence };
    const expiresAt = Math.floor(Date.now() / 1000) + KEEP_S;
    if (this.#lagging.has(sequence)) {
      // Behind last time: take [from, from + count) if nobody has claimed up to `from` since.
      if (await this.#moveTo(key, from + count, expiresAt, 'attribute_not_exists(used) OR used <= :from', { ':from': from })) return from;
      this.#lagging.delete(sequence);
    }
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
    if (first >= from) {
      this.#lagging.delete(sequence);
      return first;
    }
    this.#lagging.add(sequence);
    // The sequence lags behind the clock: move it to `from`, unless someone claimed meanwhile.
    return (await this.#moveTo(key, from + count, expiresAt, 'used = :seen', { ':seen': end })) ? from : first;
  }

  /** Sets the sequence's next free slot to `to` if `condition` holds; whether it did. */
  async #moveTo(key: Record<string, string>, to: number, expiresAt: number, condition: string, values: Record<string, number>): Promise<boolean> {
    try {
      await this.#ddb.send(
        new UpdateCommand({
          TableName: this.#table,
          Key: key,
          UpdateExpression: 'SET used = :to, expiresAt = :exp',
          ConditionExpression: condition,
          ExpressionAttributeValues: { ':to': to, ':exp': expiresAt, ...values },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }
}
