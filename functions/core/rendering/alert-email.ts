/**
 * The keyword-alert email (`templates/alert-digest.mjml`): the matched articles, each with
 * the keyword(s) that matched it. Rendered with the same budget and tokens as the edition
 * email.
 */
import type { RenderedEdition } from '../editions/types.ts';
import type { StoredArticle } from '../articles/types.ts';
import { escapeText, oneLine, tokensIn } from './escape.ts';
import { RenderError } from '../errors.ts';
import { DEFAULT_MAX_HTML_BYTES, FragmentCache, fitToBudget, fragment, renderContext, type Variant } from './mjml-compiler.ts';
import { checkedEditionUrl, greeting, moreStories, omittedNote, storySlots, subjectFor, type RenderOptions } from './email-parts.ts';
import { articleView, languageTag, type DigestView, type StoryView } from './digest-model.ts';
import { buildPreheader } from './subject.ts';
import { alertText } from './plain-text.ts';

/** Input of {@link renderAlertDigest}. */
export interface AlertDigestContent {
  id: string;
  language: string;
  matches: { keyword: string; article: StoredArticle }[];
}

/**
 * Renders a keyword-alert digest once: the matched articles, each with the keyword(s) that
 * matched it (an article matched by several keywords is shown once). Same size budget and
 * tokens as renderEdition (edition-email.ts).
 *
 * @throws RenderError as renderEdition (edition-email.ts).
 * @example
 * ```ts
 * const rendered = await renderAlertDigest(
 *   { id: 'alerts-2024-05-01', language: 'en', matches: [{ keyword: 'climate', article }] },
 *   { branding, editionUrl: 'https://archive.example.com/alerts/2024-05-01.html' },
 * );
 * ```
 */
export async function renderAlertDigest(content: AlertDigestContent, options: RenderOptions): Promise<RenderedEdition> {
  const ctx = renderContext(options.branding, options.templatesDir);
  const editionUrl = checkedEditionUrl(options.editionUrl);
  const lang = languageTag(content.language);
  const byArticle = new Map<string, StoryView>();
  for (const match of content.matches) {
    const keyword = oneLine(match.keyword);
    const existing = byArticle.get(match.article.id);
    if (existing) {
      const keywords = new Set((existing.keyword ?? '').split(', ').filter(Boolean));
      keywords.add(keyword);
      existing.keyword = [...keywords].join(', ');
    } else {
      byArticle.set(match.article.id, { ...articleView(match.article, `m${byArticle.size}`), keyword });
    }
  }
  const stories = [...byArticle.values()];
  if (stories.length === 0) throw new RenderError(`Alert digest ${content.id} has no match to render`);
  const full: DigestView = { picks: [], sections: [{ name: 'Alerts', stories }] };
  const heading = stories.length === 1 ? 'New article for your alerts' : 'New articles for your alerts';
  const intro = 'These new articles match the keywords you follow.';
  const reason = `You receive this email because you set up keyword alerts on ${ctx.branding.siteName}.`;
  const cache = new FragmentCache();
  const variant: Variant = (view, omitted) => {
    const shown = view.sections.flatMap((s) => s.stories);
    const subject = subjectFor(options.subjectPattern, ctx.branding, view, '');
    return {
      lang,
      title: escapeText(subject),
      preheader: escapeText(buildPreheader('', ['', ...shown.map((s) => s.headline)])),
      greeting: greeting(),
      intro: escapeText(intro),
      reason: escapeText(reason),
      heading: escapeText(heading),
      matches: shown
        .map((s) => cache.get(s.key, () => fragment(ctx, 'alert-card', { ...storySlots(ctx, s), keyword: escapeText(s.keyword ?? '') })))
        .join('\n'),
      more_stories: moreStories(ctx, omitted, editionUrl),
    };
  };
  const fitted = await fitToBudget(ctx, 'alert-digest.mjml', full, variant, options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES, options.observer);
  const shown = fitted.view.sections.flatMap((s) => s.stories);
  const text = alertText(shown, {
    branding: ctx.branding,
    greeting: greeting(),
    intro,
    reason,
    heading,
    omitted: fitted.omitted,
    editionUrl,
    omittedNote: omittedNote(fitted.omitted),
  });
  return {
    editionId: content.id,
    subject: subjectFor(options.subjectPattern, ctx.branding, fitted.view, ''),
    preheader: buildPreheader('', ['', ...shown.map((s) => s.headline)]),
    html: fitted.html,
    text,
    language: lang,
    tokens: tokensIn(fitted.html, text),
    shown: shown.length,
    omitted: fitted.omitted,
  };
}
