/**
 * EngagementStore on the deliveries table, beside the ledger (whose entries are
 * `EDITION#<id>` / `SUB#<id>`):
 * - event            pk EVENT#<event id>                 sk EVENT         (per recipient; expires)
 * - first open/click pk ENGAGE#<edition>#<subscriber>    sk FIRST#<kind>  (per recipient; expires)
 * - counter shard    pk STATS#<edition>#<shard>          sk TOTAL         (kept)
 * - chart minute     pk STATS#<edition>#<shard>          sk T#<minute>    (kept)
 *
 * The counters of one edition are spread over `shards` partition keys, so that a burst of
 * events (500/s) never concentrates on one partition; totals are the sum of one Query per
 * shard. Clicks per link are attributes of the shard item: `link_<hash>` (the count) and
 * `url_<hash>` (the link). Every write is an UpdateItem (the feedback function's one grant on
 * the table); reading needs Query only (the editors' read function).
 */
import { createHash } from 'node:crypto';
import { QueryCommand, UpdateCommand, type AwsCaller } from './aws-commands.ts';
import type { EngagementStore } from '../core/analytics/ports.ts';
import { COUNTERS, ClaimOutcome, Counter, type CounterIncrement, type EngagementEvent, type EngagementTotals, type FirstKind, type LinkClicks, type TimelinePoint } from '../core/analytics/types.ts';
import { conditional } from './dynamodb-support.ts';

const CLAIMED = 'claimed';
const COUNTED = 'counted';
const linkKey = (url: string): string => createHash('sha256').update(url, 'utf8').digest('hex').slice(0, 16);

/**
 * @example
 * ```ts
 * const store = new DynamoDbEngagementStore({ client, tableName: config.DELIVERIES_TABLE });
 * await store.add('daily-2026-12-01', 3, { counters: { delivered: 1 }, minute: '2026-12-01T06:01' });
 * ```
 */
export class DynamoDbEngagementStore implements EngagementStore {
  readonly #ddb: AwsCaller;
  readonly #table: string;
  readonly #shards: number;

  public constructor(options: { client: AwsCaller; tableName: string; shards?: number }) {
    this.#ddb = options.client;
    this.#table = options.tableName;
    this.#shards = options.shards ?? 16;
  }

  public async claim(event: EngagementEvent, options: { now: number; leaseUntil: number; expiresAt: number }): Promise<ClaimOutcome> {
    const Key = { pk: `EVENT#${event.id}`, sk: 'EVENT' };
    const claimed = await conditional(() =>
      this.#ddb.send(new UpdateCommand({
        TableName: this.#table,
        Key,
        UpdateExpression: 'SET #state = :claimed, leaseUntil = :lease, expiresAt = :exp, edition = :edition, subscriber = :subscriber, #type = :type, messageId = :message, #at = :at'
          + (event.link ? ', link = :link' : '') + (event.bounceType ? ', bounceType = :bounce' : ''),
        ConditionExpression: 'attribute_not_exists(pk) OR (#state = :claimed AND leaseUntil < :now)',
        ExpressionAttributeNames: { '#state': 'state', '#type': 'type', '#at': 'at' },
        ExpressionAttributeValues: {
          ':claimed': CLAIMED, ':lease': options.leaseUntil, ':exp': options.expiresAt, ':now': options.now,
          ':edition': event.editionId, ':subscriber': event.subscriberId, ':type': event.type, ':message': event.messageId, ':at': event.at,
          ...(event.link ? { ':link': event.link } : {}), ...(event.bounceType ? { ':bounce': event.bounceType } : {}),
        },
      })),
    );
    if (claimed) return ClaimOutcome.CLAIMED;
    // Counted, or held by another attempt: a write that changes nothing tells which (no read grant needed).
    const counted = await conditional(() =>
      this.#ddb.send(new UpdateCommand({
        TableName: this.#table,
        Key,
        UpdateExpression: 'SET #state = :counted',
        ConditionExpression: '#state = :counted',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':counted': COUNTED },
      })),
    );
    return counted ? ClaimOutcome.COUNTED : ClaimOutcome.BUSY;
  }

  public async complete(eventId: string): Promise<void> {
    await this.#ddb.send(new UpdateCommand({
      TableName: this.#table,
      Key: { pk: `EVENT#${eventId}`, sk: 'EVENT' },
      UpdateExpression: 'SET #state = :counted REMOVE leaseUntil',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':counted': COUNTED },
    }));
  }

  public async first(editionId: string, subscriberId: string, kind: FirstKind, eventId: string, expiresAt: number): Promise<boolean> {
    return conditional(() =>
      this.#ddb.send(new UpdateCommand({
        TableName: this.#table,
        Key: { pk: `ENGAGE#${editionId}#${subscriberId}`, sk: `FIRST#${kind}` },
        UpdateExpression: 'SET eventId = :id, expiresAt = :exp',
        ConditionExpression: 'attribute_not_exists(pk) OR eventId = :id',
        ExpressionAttributeValues: { ':id': eventId, ':exp': expiresAt },
      })),
    );
  }

  public async add(editionId: string, shard: number, increment: CounterIncrement): Promise<void> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const adds: string[] = [];
    for (const [i, [counter, amount]] of Object.entries(increment.counters).entries()) {
      names[`#c${i}`] = counter;
      values[`:c${i}`] = amount;
      adds.push(`#c${i} :c${i}`);
    }
    let set = '';
    if (increment.link) {
      const h = linkKey(increment.link);
      names['#link'] = `link_${h}`;
      names['#url'] = `url_${h}`;
      values[':one'] = 1;
      values[':url'] = increment.link;
      adds.push('#link :one');
      set = ' SET #url = :url';
    }
    const pk = `STATS#${editionId}#${shard}`;
    const writes = [
      this.#ddb.send(new UpdateCommand({
        TableName: this.#table,
        Key: { pk, sk: 'TOTAL' },
        UpdateExpression: `ADD ${adds.join(', ')}${set}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      })),
    ];
    const timed = Object.entries(increment.counters).filter(([c]) => c === Counter.SENT || c === Counter.DELIVERED);
    if (increment.minute && timed.length > 0) {
      writes.push(this.#ddb.send(new UpdateCommand({
        TableName: this.#table,
        Key: { pk, sk: `T#${increment.minute}` },
        UpdateExpression: `ADD ${timed.map((_, i) => `#t${i} :t${i}`).join(', ')}`,
        ExpressionAttributeNames: Object.fromEntries(timed.map(([c], i) => [`#t${i}`, c])),
        ExpressionAttributeValues: Object.fromEntries(timed.map(([, n], i) => [`:t${i}`, n])),
      })));
    }
    await Promise.all(writes);
  }

  public async totals(editionId: string): Promise<EngagementTotals> {
    const counters = Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;
    const links = new Map<string, LinkClicks>();
    const minutes = new Map<string, TimelinePoint>();
    const shards = await Promise.all(Array.from({ length: this.#shards }, (_, shard) => this.#queryShard(`STATS#${editionId}#${shard}`)));
    for (const item of shards.flat()) {
      const sk = String(item.sk);
      if (sk === 'TOTAL') {
        for (const c of COUNTERS) counters[c] += Number(item[c] ?? 0);
        for (const [name, value] of Object.entries(item)) {
          if (!name.startsWith('link_')) continue;
          const url = String(item[`url_${name.slice(5)}`] ?? '');
          const entry = links.get(url) ?? { url, clicks: 0 };
          entry.clicks += Number(value);
          links.set(url, entry);
        }
      } else if (sk.startsWith('T#')) {
        const minute = sk.slice(2);
        const point = minutes.get(minute) ?? { minute, sent: 0, delivered: 0 };
        point.sent += Number(item.sent ?? 0);
        point.delivered += Number(item.delivered ?? 0);
        minutes.set(minute, point);
      }
    }
    return {
      counters,
      links: [...links.values()].sort((a, b) => b.clicks - a.clicks || a.url.localeCompare(b.url)),
      timeline: [...minutes.values()].sort((a, b) => a.minute.localeCompare(b.minute)),
    };
  }

  async #queryShard(pk: string): Promise<Array<Record<string, unknown>>> {
    const items: Array<Record<string, unknown>> = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.#ddb.send(new QueryCommand({
        TableName: this.#table,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': pk },
        ExclusiveStartKey: start,
      }));
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
