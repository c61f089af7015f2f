/**
 * Assembles what goes into an edition from the items ingested in its period: editor's-choice
 * items first (flagged articles and page-export teasers, one per normalised headline), then
 * the other articles grouped by section, each section most recent first. An editor's
 * {@link PickOverride} pins stories to the top of the editor's choice, in its order, and takes
 * picks out of it.
 */
import type { IngestedItem } from '../articles/ports.ts';
import { normaliseHeadline } from '../articles/parsing/index.ts';
import type { StoredArticle } from '../articles/types.ts';
import type { EditionContent, EditionPick, EditionSection, JobName, PickOverride } from './types.ts';

/** Sections listed first, in this order; others follow alphabetically. */
const SECTION_ORDER = ['News', 'Analysis', 'Opinion', 'Interview'];

function sectionRank(name: string): number {
  const i = SECTION_ORDER.findIndex((s) => s.toLowerCase() === name.toLowerCase());
  return i === -1 ? SECTION_ORDER.length : i;
}

/** Sections are one whatever the case and spacing their sources wrote them in ("news", "News "). */
const sectionKey = (name: string): string => name.trim().replace(/\s+/g, ' ').toLowerCase();

function byRecency(a: StoredArticle, b: StoredArticle): number {
  return b.publishedAt.localeCompare(a.publishedAt) || a.title.localeCompare(b.title);
}

function pickFromArticle(a: StoredArticle): EditionPick {
  return {
    id: a.id,
    headline: a.title,
    section: a.section,
    summary: a.summary,
    ...(a.url ? { url: a.url } : {}),
    ...(a.image ? { image: a.image } : {}),
  };
}

/**
 * Builds the edition's content from ingested items.
 *
 * @example
 * ```ts
 * const content = assembleEdition({ id: 'daily-2026-11-28', job: 'daily', from, to, language: 'en' }, items);
 * content.picks[0]?.headline;
 * const edited = assembleEdition(meta, items, { pinned: ['https://example.org/story'], unpinned: [] });
 * edited.picks[0]?.id; // 'https://example.org/story'
 * ```
 */
export function assembleEdition(
  meta: { id: string; job: JobName; from: string; to: string; language: string },
  items: Iterable<IngestedItem>,
  override?: PickOverride,
): EditionContent {
  const articles: StoredArticle[] = [];
  const teasers: EditionPick[] = [];
  for (const item of items) {
    if (item.type === 'article') articles.push(item.article);
    else {
      const p = item.pick;
      teasers.push({ id: p.id, headline: p.headline, section: p.section, summary: p.teaser, ...(p.url ? { url: p.url } : {}) });
    }
  }
  articles.sort(byRecency);

  // Editor's choice: flagged articles first (most recent first), then teasers; one entry per
  // normalised headline. A teaser whose headline is also an article of this edition becomes
  // that article (it has a URL and maybe an image) and the article is not repeated below.
  // Two articles with one headline: the most recent one stands for it.
  const byHeadline = new Map<string, StoredArticle>();
  for (const a of articles) {
    const key = normaliseHeadline(a.title);
    if (!byHeadline.has(key)) byHeadline.set(key, a);
  }
  let picks: EditionPick[] = [];
  const seen = new Set<string>();
  const inPicks = new Set<string>();
  const addPick = (headline: string, make: () => EditionPick): void => {
    const key = normaliseHeadline(headline);
    if (seen.has(key)) return;
    seen.add(key);
    const article = byHeadline.get(key);
    if (article) {
      inPicks.add(article.id);
      picks.push(pickFromArticle(article));
    } else picks.push(make());
  };
  for (const a of articles) if (a.editorsChoice) addPick(a.title, () => pickFromArticle(a));
  for (const t of teasers) addPick(t.headline, () => t);
  if (override) picks = applyOverride(picks, articles, inPicks, override);

  // A section is named as in the fixed order, else as its most recent article spells it.
  const sections = new Map<string, EditionSection>();
  for (const a of articles) {
    if (inPicks.has(a.id)) continue;
    const key = sectionKey(a.section);
    const section = sections.get(key);
    if (section) section.articles.push(a);
    else sections.set(key, { name: SECTION_ORDER.find((s) => s.toLowerCase() === key) ?? a.section.trim(), articles: [a] });
  }
  const ordered: EditionSection[] = [...sections.values()].sort(
    (a, b) => sectionRank(a.name) - sectionRank(b.name) || a.name.localeCompare(b.name),
  );

  const language = mostCommon(articles.map((a) => a.language)) ?? meta.language;
  return { ...meta, language, picks, sections: ordered };
}

/**
 * The editor's order: pinned stories first (a pick, or an article of the period promoted to
 * one), then the other picks in their own order; unpinned picks leave the block, and an
 * article among them goes back to its section (`inPicks` is updated to match).
 */
function applyOverride(picks: EditionPick[], articles: readonly StoredArticle[], inPicks: Set<string>, override: PickOverride): EditionPick[] {
  const unpinned = new Set(override.unpinned);
  const byId = new Map(picks.map((p) => [p.id, p]));
  const articleById = new Map(articles.map((a) => [a.id, a]));
  const lead: EditionPick[] = [];
  const placed = new Set<string>();
  for (const id of override.pinned) {
    if (placed.has(id) || unpinned.has(id)) continue;
    const article = articleById.get(id);
    const pick = byId.get(id) ?? (article ? pickFromArticle(article) : undefined);
    if (!pick) continue; // not in this period (any more)
    lead.push(pick);
    placed.add(id);
    if (article) inPicks.add(id);
  }
  for (const id of unpinned) inPicks.delete(id);
  return [...lead, ...picks.filter((p) => !placed.has(p.id) && !unpinned.has(p.id))];
}

function mostCommon(values: string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | undefined;
  let bestCount = 0;
  for (const [v, c] of counts) if (c > bestCount) [best, bestCount] = [v, c];
  return best;
}

/** Number of stories in an edition (picks plus section articles). */
export function storyCount(content: EditionContent): number {
  return content.picks.length + content.sections.reduce((n, s) => n + s.articles.length, 0);
}
