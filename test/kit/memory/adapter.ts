/**
 * What every in-memory adapter of the kit shares: simulated latency, call counters and
 * one-shot failures, all off by default so that an adapter built with no options costs no
 * more than a Map lookup (the benchmarks' throughput runs rely on that).
 */
import { ValidationError } from '../../../functions/core/errors.ts';

/** Milliseconds of simulated latency per call, or a function that draws them per call. */
export type Latency = number | (() => number);

/** Options every in-memory adapter takes. */
export interface InMemoryOptions {
  /**
   * Simulated latency of every call, applied before the call takes effect: `0` is one
   * event-loop turn (`setImmediate`, so other pending work runs first, as during a network
   * round trip), more than 0 is a timer of that many milliseconds.
   *
   * @default undefined (no pause at all)
   */
  latencyMs?: Latency;
  /**
   * Counts every call by method in `calls`; `'args'` also keeps each call's arguments (as
   * passed, not copied) for {@link InMemoryAdapter.argsOf}.
   *
   * @default false
   */
  counters?: boolean | 'args';
}

/** The parameter list of method `K` of `T`. */
export type ArgsOf<T, K> = K extends keyof T ? (T[K] extends (...args: infer A) => unknown ? A : never) : never;

/**
 * A deep copy, as a store hands out: what a caller does with it never changes the store.
 * Plain objects and arrays are copied by hand (several times faster than structuredClone
 * for the small records the ports carry); anything else goes through structuredClone.
 *
 * @example
 * ```ts
 * const copy = clone(subscriber);
 * copy.keywords.push('x'); // the stored subscriber keeps its keywords
 * ```
 */
export function clone<T>(value: T): T {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(clone) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return structuredClone(value);
  const copy: Record<string, unknown> = {};
  for (const key in value) copy[key] = clone((value as Record<string, unknown>)[key]);
  return copy as T;
}

/**
 * A copy without the properties whose value is undefined, at any depth of plain objects (a
 * DynamoDB item never holds them: the document client drops them).
 *
 * @example
 * ```ts
 * defined({ id: 's_1', name: undefined, consent: { at, ipHash: undefined } }); // { id: 's_1', consent: { at } }
 * ```
 */
export function defined<T>(value: T): T {
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(defined) as T;
  if (typeof value !== 'object' || value === null || Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, defined(v)])) as T;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}

/**
 * Base of the in-memory adapters: each public method starts with
 * `await this.enter('method', arguments)`.
 *
 * @example
 * ```ts
 * const ledger = new InMemoryDeliveryLedger({ latencyMs: 0, counters: true });
 * await ledger.acquire(task, { leaseUntil, now });
 * ledger.calls.acquire; // 1
 * ledger.failNext('complete', new Error('DynamoDB is down'));
 * ```
 */
export abstract class InMemoryAdapter<M extends string> {
  /** Calls made so far, by method (all zero unless `counters` is set). */
  public readonly calls: Readonly<Record<M, number>>;
  readonly #counts: Record<M, number>;
  readonly #args: Map<M, unknown[][]> | undefined;
  readonly #counting: boolean;
  readonly #latency: Latency | undefined;
  readonly #failures = new Map<M, Error>();

  protected constructor(methods: readonly M[], options: InMemoryOptions = {}) {
    this.#counts = Object.fromEntries(methods.map((m) => [m, 0])) as Record<M, number>;
    this.calls = this.#counts;
    this.#counting = options.counters !== undefined && options.counters !== false;
    this.#args = options.counters === 'args' ? new Map(methods.map((m) => [m, []])) : undefined;
    this.#latency = options.latencyMs;
  }

  /**
   * The arguments of every call of `method` so far, oldest first (empty unless the adapter
   * was built with `counters: 'args'`).
   */
  public argsOf<K extends M>(method: K): ReadonlyArray<ArgsOf<this, K>> {
    return (this.#args?.get(method) ?? []) as unknown as ReadonlyArray<ArgsOf<this, K>>;
  }

  /** Makes the next call of `method` throw `error` (after its latency, before any effect). */
  public failNext(method: M, error: Error = new Error(`${method} failed`)): void {
    this.#failures.set(method, error);
  }

  /** Counts the call, waits the simulated latency and throws a failure set by failNext. */
  protected enter(method: M, args: ArrayLike<unknown>): Promise<void> | undefined {
    if (this.#counting) {
      this.#counts[method] += 1;
      this.#args?.get(method)?.push(Array.from(args));
    }
    const latency = this.#latency;
    if (latency === undefined) {
      this.#throwIfFailing(method);
      return undefined;
    }
    return pause(typeof latency === 'function' ? latency() : latency).then(() => this.#throwIfFailing(method));
  }

  #throwIfFailing(method: M): void {
    const failure = this.#failures.get(method);
    if (failure === undefined) return;
    this.#failures.delete(method);
    throw failure;
  }
}

/**
 * Orders strings as DynamoDB orders string keys (code units, not locale).
 *
 * @example
 * ```ts
 * ['s_b', 'S_a', 's_a'].sort(byKey); // ['S_a', 's_a', 's_b']
 * ```
 */
export const byKey = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Makes the opaque cursor of a page that ended at `key`. */
function encodePageCursor(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

/** The key a cursor made by this kit ends at; anything else is refused. */
function decodePageCursor(cursor: string): string {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && typeof (value as { after?: unknown }).after === 'string') {
      return (value as { after: string }).after;
    }
  } catch {
    // falls through to the error below
  }
  throw new ValidationError('cursor: malformed');
}

/**
 * One page of `items` after `cursor`, in key order, as a DynamoDB Query pages: at most
 * `limit` items, and a cursor when more follow. The cursor is a key, not an offset, so items
 * that come or go between two pages never make the next page skip one. (DynamoDB also
 * answers a full last page with a cursor, and then an empty page; the ports allow both, and
 * the unit tests count pages as this answers them.)
 *
 * @example
 * ```ts
 * const first = pageByKey(subscribers, (s) => s.id, { limit: 500 });
 * const next = first.cursor ? pageByKey(subscribers, (s) => s.id, { limit: 500, cursor: first.cursor }) : undefined;
 * ```
 */
export function pageByKey<T>(items: Iterable<T>, keyOf: (item: T) => string, options: { limit: number; cursor?: string }): { items: T[]; cursor?: string } {
  if (!Number.isInteger(options.limit) || options.limit < 1) throw new ValidationError('limit: must be a positive integer');
  const after = options.cursor === undefined ? undefined : decodePageCursor(options.cursor);
  const keyed: Array<[string, T]> = [];
  for (const item of items) {
    const key = keyOf(item);
    if (after === undefined || key > after) keyed.push([key, item]);
  }
  keyed.sort(([a], [b]) => byKey(a, b));
  const page = keyed.slice(0, options.limit);
  const last = page.at(-1);
  return keyed.length > options.limit && last !== undefined ? { items: page.map(([, item]) => item), cursor: encodePageCursor(last[0]) } : { items: page.map(([, item]) => item) };
}
