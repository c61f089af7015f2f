/**
 * In-memory fakes of the subscribers ports, for unit tests.
 */
import type { OnceStore, RateLimitDecision, RateLimiter, SubscriberRepository } from '../../../functions/core/subscribers/ports.ts';
import type { Segment, Subscriber, SubscriberPage, SubscriberStatus } from '../../../functions/core/subscribers/types.ts';

const clone = <T>(value: T): T => structuredClone(value);

export class InMemorySubscriberRepository implements SubscriberRepository {
  public readonly items = new Map<string, Subscriber>();
  public writes = 0;

  public async get(id: string): Promise<Subscriber | undefined> {
    const s = this.items.get(id);
    return s ? clone(s) : undefined;
  }

  public readonly batchReads: string[][] = [];

  public async getMany(ids: readonly string[]): Promise<Map<string, Subscriber>> {
    this.batchReads.push([...ids]);
    const found = new Map<string, Subscriber>();
    for (const id of ids) {
      const s = this.items.get(id);
      if (s) found.set(id, clone(s));
    }
    return found;
  }

  public async put(subscriber: Subscriber): Promise<void> {
    this.writes += 1;
    this.items.set(subscriber.id, clone(subscriber));
  }

  public async setStatus(id: string, status: SubscriberStatus, options: { unlessIn?: SubscriberStatus[] } = {}): Promise<boolean> {
    const s = this.items.get(id);
    if (!s || s.status === status || options.unlessIn?.includes(s.status)) return false;
    this.writes += 1;
    this.items.set(id, { ...s, status, updatedAt: new Date().toISOString() });
    return true;
  }

  public async update(id: string, mutate: (current: Subscriber | undefined) => Subscriber | undefined): Promise<Subscriber | undefined> {
    const current = await this.get(id);
    const next = mutate(current);
    if (next === undefined) return current;
    await this.put(next);
    return clone(next);
  }

  public async pageSegment(segment: Segment, options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    const matching = [...this.items.values()]
      .filter((s) => s.status === 'confirmed')
      .filter((s) => (segment.kind === 'newsletter' ? s.newsletter === segment.newsletter : s.alerts === segment.cadence))
      .sort((a, b) => a.id.localeCompare(b.id));
    return this.slice(matching, options);
  }

  public async pageAll(options: { limit: number; cursor?: string }): Promise<SubscriberPage> {
    return this.slice([...this.items.values()].sort((a, b) => a.id.localeCompare(b.id)), options);
  }

  private slice(all: Subscriber[], options: { limit: number; cursor?: string }): SubscriberPage {
    const start = options.cursor ? Number(options.cursor) : 0;
    const subscribers = all.slice(start, start + options.limit).map(clone);
    const next = start + options.limit;
    return next < all.length ? { subscribers, cursor: String(next) } : { subscribers };
  }
}

export class InMemoryOnceStore implements OnceStore {
  public readonly claimed = new Map<string, number>();
  public async claim(key: string, expiresAt: number): Promise<boolean> {
    if (this.claimed.has(key)) return false;
    this.claimed.set(key, expiresAt);
    return true;
  }
  public async release(key: string): Promise<void> {
    this.claimed.delete(key);
  }
}

/**
 * A limiter in memory, for tests and single-process tools.
 *
 * @example
 * ```ts
 * const limiter = new InMemoryRateLimiter();
 * (await limiter.hit('ip#abc', 10, 3600)).allowed; // true
 * ```
 */
export class InMemoryRateLimiter implements RateLimiter {
  readonly #counts = new Map<string, number>();

  public async hit(key: string, limit: number, windowSeconds: number, now: Date = new Date()): Promise<RateLimitDecision> {
    const seconds = Math.floor(now.getTime() / 1000);
    const windowStart = seconds - (seconds % windowSeconds);
    const slot = `${key}@${windowStart}`;
    const count = (this.#counts.get(slot) ?? 0) + 1;
    this.#counts.set(slot, count);
    return {
      allowed: count <= limit,
      remaining: Math.max(0, limit - count),
      retryAfterSeconds: windowStart + windowSeconds - seconds,
    };
  }
}
