/**
 * The subscribers ports in memory, with the behaviour of DynamoDbSubscriberRepository and
 * DynamoDbOnceStore (the truth: test/contract/subscribers.contract.ts runs the same
 * behaviour tests against both).
 */
import { ValidationError } from '../../../functions/core/errors.ts';
import type { OnceStore, SubscriberRepository } from '../../../functions/core/subscribers/ports.ts';
import type { Segment, Subscriber, SubscriberPage, SubscriberStatus } from '../../../functions/core/subscribers/types.ts';
import { InMemoryAdapter, clone, defined, pageByKey, type InMemoryOptions } from './adapter.ts';

const METHODS = ['get', 'getMany', 'put', 'setStatus', 'pageSegment', 'countSegment', 'pageAll', 'update'] as const;

/** The most a page holds, whatever the limit asked (as on DynamoDB). */
const MAX_PAGE = 1000;

/** A subscriber as the store keeps it: no undefined attributes, keywords always a list. */
function stored(subscriber: Subscriber): Subscriber {
  const copy = defined(clone(subscriber));
  if (!Array.isArray(copy.keywords)) copy.keywords = [];
  return copy;
}

function inSegment(subscriber: Subscriber, segment: Segment): boolean {
  if (subscriber.status !== 'confirmed') return false;
  return segment.kind === 'newsletter' ? subscriber.newsletter === segment.newsletter : subscriber.alerts === segment.cadence;
}

/**
 * Subscribers in memory. `update` is one atomic step (it never interleaves with another
 * call), which is what the optimistic retries of the DynamoDB adapter achieve.
 *
 * @example
 * ```ts
 * const subscribers = new InMemorySubscriberRepository();
 * subscribers.seed(makeSubscriber(1), makeSubscriber(2, { newsletter: 'weekly' }));
 * const page = await subscribers.pageSegment({ kind: 'newsletter', newsletter: 'daily' }, { limit: 500 });
 * ```
 */
export class InMemorySubscriberRepository extends InMemoryAdapter<(typeof METHODS)[number]> implements SubscriberRepository {
  /** Subscribers by id (seed them with seed, or set them here directly). */
  public readonly items = new Map<string, Subscriber>();

  public constructor(options: InMemoryOptions = {}) {
    super(METHODS, options);
  }

  public async get(id: string): Promise<Subscriber | undefined> {
    await this.enter('get', arguments);
    const s = this.items.get(id);
    return s ? clone(s) : undefined;
  }

  public async getMany(ids: readonly string[]): Promise<Map<string, Subscriber>> {
    await this.enter('getMany', arguments);
    const found = new Map<string, Subscriber>();
    for (const id of ids) {
      const s = this.items.get(id);
      if (s) found.set(id, clone(s));
    }
    return found;
  }

  public async put(subscriber: Subscriber): Promise<void> {
    await this.enter('put', arguments);
    this.items.set(subscriber.id, stored(subscriber));
  }

  public async setStatus(id: string, status: SubscriberStatus, options: { unlessIn?: SubscriberStatus[] } = {}): Promise<boolean> {
    await this.enter('setStatus', arguments);
    const s = this.items.get(id);
    if (!s || s.status === status || options.unlessIn?.includes(s.status)) return false;
    this.items.set(id, { ...s, status, updatedAt: new Date().toISOString() });
    return true;
  }

  public async update(id: string, mutate: (current: Subscriber | undefined) => Subscriber | undefined): Promise<Subscriber | undefined> {
    await this.enter('update', arguments);
    const current = this.items.get(id);
    const next = mutate(current ? clone(current) : undefined);
    if (next === undefined) return current ? clone(current) : undefined;
    if (next.id !== id) throw new ValidationError('update: the id of a subscriber cannot change');
    this.items.set(id, stored(next));
    return clone(next);
  }

  public async pageSegment(segment: Segment, options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    await this.enter('pageSegment', arguments);
    return this.#page([...this.items.values()].filter((s) => inSegment(s, segment)), options);
  }

  public async countSegment(segment: Segment): Promise<number> {
    await this.enter('countSegment', arguments);
    return [...this.items.values()].filter((s) => inSegment(s, segment)).length;
  }

  public async pageAll(options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    await this.enter('pageAll', arguments);
    return this.#page(this.items.values(), options);
  }

  /** Puts subscribers as they would be after some earlier history (no counting, no latency). */
  public seed(...subscribers: Subscriber[]): void {
    for (const s of subscribers) this.items.set(s.id, stored(s));
  }

  #page(subscribers: Iterable<Subscriber>, options: { limit: number; cursor?: string }): SubscriberPage {
    const limit = Number.isInteger(options.limit) && options.limit > MAX_PAGE ? MAX_PAGE : options.limit;
    const page = pageByKey(subscribers, (s) => s.id, { ...options, limit });
    const subscriberPage: SubscriberPage = { subscribers: page.items.map(clone) };
    if (page.cursor !== undefined) subscriberPage.cursor = page.cursor;
    return subscriberPage;
  }
}

const ONCE_METHODS = ['claim', 'release'] as const;

/**
 * One-time keys in memory. A claim past its `expiresAt` counts as free again, as with
 * DynamoDbOnceStore (before a TTL sweep removes it).
 *
 * @example
 * ```ts
 * const once = new InMemoryOnceStore({ nowSeconds: () => clock / 1000 });
 * await once.claim('confirm#n1', expiresAt); // true, then false until expiresAt has passed
 * ```
 */
export class InMemoryOnceStore extends InMemoryAdapter<(typeof ONCE_METHODS)[number]> implements OnceStore {
  /** Claimed keys and when each may be forgotten (epoch seconds). */
  public readonly claimed = new Map<string, number>();
  readonly #nowSeconds: () => number;

  public constructor(options: InMemoryOptions & { nowSeconds?: () => number } = {}) {
    super(ONCE_METHODS, options);
    this.#nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  }

  public async claim(key: string, expiresAt: number): Promise<boolean> {
    await this.enter('claim', arguments);
    const held = this.claimed.get(key);
    if (held !== undefined && !(held < this.#nowSeconds())) return false;
    this.claimed.set(key, expiresAt);
    return true;
  }

  public async release(key: string): Promise<void> {
    await this.enter('release', arguments);
    this.claimed.delete(key);
  }
}
