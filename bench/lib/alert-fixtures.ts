/**
 * Deterministic data for the alert benchmarks: a vocabulary of followed phrases, keyword
 * popularity skewed as in real life (Zipf: a few keywords followed by tens of thousands, a long
 * tail followed by a handful), subscribers' keyword lists, and articles that mention a few
 * phrases (with the spelling variations the matcher must see through) in filler text that can
 * never match a phrase by accident (filler words use other letters).
 */
import type { StoredArticle } from '../../functions/core/articles/types.ts';

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const KEY_CONSONANTS = 'bdklmnrstv';
const FILLER_CONSONANTS = 'fghpwzxjc';
const VOWELS = 'aeiou';

function word(random: () => number, consonants: string, syllables: number): string {
  let w = '';
  for (let i = 0; i < syllables; i += 1) w += consonants[Math.floor(random() * consonants.length)]! + VOWELS[Math.floor(random() * VOWELS.length)]!;
  return w;
}

/**
 * `size` distinct followed phrases (as a subscriber would type them): about 70% one word,
 * 30% two words. Index 0 is the most followed.
 */
export function vocabulary(size: number, seed = 7): string[] {
  const random = prng(seed);
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < size) {
    const first = word(random, KEY_CONSONANTS, 3 + Math.floor(random() * 2));
    const phrase = random() < 0.3 ? `${first} ${word(random, KEY_CONSONANTS, 3)}` : first;
    if (seen.has(phrase)) continue;
    seen.add(phrase);
    out.push(phrase.replace(/(^|\s)\p{L}/gu, (c) => c.toUpperCase()));
  }
  return out;
}

/** Samples indices 0 … n-1 with probability ∝ 1 / (i + 1)^s. */
export class Zipf {
  readonly #cdf: Float64Array;

  public constructor(n: number, s = 1) {
    this.#cdf = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i += 1) {
      total += 1 / (i + 1) ** s;
      this.#cdf[i] = total;
    }
    for (let i = 0; i < n; i += 1) this.#cdf[i] = (this.#cdf[i] as number) / total;
  }

  public sample(random: () => number): number {
    const u = random();
    let lo = 0;
    let hi = this.#cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.#cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** `k` distinct indices. */
  public distinct(random: () => number, k: number): number[] {
    const picked = new Set<number>();
    while (picked.size < Math.min(k, this.#cdf.length)) picked.add(this.sample(random));
    return [...picked];
  }
}

/** The phrase indices subscriber `n` follows (the same for a given seed). */
export function followedBy(n: number, zipf: Zipf, perSubscriber: number): number[] {
  return zipf.distinct(prng(1_000_003 + n), perSubscriber);
}

/** The subscriber id of the benchmark's subscriber `n`. */
export const benchSubscriberId = (n: number): string => `s_bench${String(n).padStart(7, '0')}`;

function filler(random: () => number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i += 1) out.push(word(random, FILLER_CONSONANTS, 2 + Math.floor(random() * 3)));
  return `${out.join(' ')}.`;
}

/** A mention of a phrase as an article might spell it: case, a hyphen between words, a possessive. */
function mention(phrase: string, variant: number): string {
  if (variant === 0) return phrase.toUpperCase();
  if (variant === 1) return phrase.replace(' ', '-');
  if (variant === 2) return `${phrase}’s`;
  return phrase.toLowerCase();
}

/**
 * Article `n`: about 600 words of filler with `mentions` followed phrases drawn by popularity
 * (Zipf), each spelled in one of several ways. Returns the article and the phrase indices it
 * mentions (what the matcher must find, exactly).
 */
export function alertArticle(n: number, phrases: readonly string[], zipf: Zipf, mentions: number, now: Date): { article: StoredArticle; mentioned: number[] } {
  const random = prng(500_009 + n);
  const mentioned = zipf.distinct(random, mentions);
  const paragraphs = Array.from({ length: 6 }, () => filler(random, 100));
  mentioned.forEach((index, i) => {
    const p = i % paragraphs.length;
    paragraphs[p] = `${paragraphs[p]} ${mention(phrases[index] as string, i % 4)} ${filler(random, 5)}`;
  });
  const iso = new Date(now.getTime() - n * 60_000).toISOString();
  const title = `Bench story ${n}: ${filler(random, 6)}`;
  return {
    mentioned,
    article: {
      id: `https://bench.example.org/alerts/${n}`,
      title,
      url: `https://bench.example.org/alerts/${n}`,
      publishedAt: iso,
      section: 'News',
      summary: filler(random, 30),
      bodyText: paragraphs.join('\n\n'),
      tags: [],
      editorsChoice: false,
      breaking: false,
      language: 'en',
      ingestedAt: iso,
      updated: false,
      sourceKey: `alerts/${n}.md`,
      contentHash: `bench-${n}`,
      keywords: [],
    },
  };
}
