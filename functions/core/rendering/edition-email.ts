/**
 * The edition email, rendered ONCE: MJML layout + partials (`templates/digest.mjml`) → HTML,
 * plus the plain-text part, subject and preheader. Personalisation tokens (`%%{name}%%` …)
 * stay in the output and are replaced per recipient by the personaliser.
 */
import type { EditionContent, RenderedEdition } from '../editions/types.ts';
import { escapeText, tokensIn } from './escape.ts';
import { RenderError } from '../errors.ts';
import { DEFAULT_MAX_HTML_BYTES, FragmentCache, fitToBudget, fragment, renderContext, type Variant } from './mjml-compiler.ts';
import { checkedEditionUrl, greeting, moreStories, omittedNote, pickFragment, storySlots, subjectFor, type RenderOptions } from './email-parts.ts';
import { allStories, buildDigestView, formatEditionDate, languageTag, leadStory, storyCount } from './digest-model.ts';
import { buildPreheader } from './subject.ts';
import { digestText } from './plain-text.ts';

function introFor(job: string): string {
  if (job === 'daily') return "Here are today's stories.";
  if (job === 'weekly') return "Here are this week's stories.";
  return 'Here are the latest stories.';
}

function digestReason(siteName: string, job: string): string {
  const kind = job === 'daily' || job === 'weekly' ? `the ${job} digest of ${siteName}` : siteName;
  return `You receive this email because you subscribed to ${kind}.`;
}

/**
 * Renders one edition's email once, with personalisation tokens left in the HTML and text.
 * The header shows the edition's date (in its language). Editor's choice comes first (the
 * first pick as a hero), then the sections as cards. Every story links somewhere: to its URL,
 * else to its place on the edition's web page (`editionUrl#<anchor>`). When
 * the HTML would exceed `maxHtmlBytes`, the least recent articles are left out and a "More
 * stories" link to `editionUrl` is shown.
 *
 * @throws RenderError when MJML reports errors, the branding or `editionUrl` is unusable, the
 *   edition has no story, or it cannot fit the budget.
 * @example
 * ```ts
 * const rendered = await renderEdition(content, {
 *   branding,
 *   editionUrl: 'https://archive.example.com/editions/2024-05-01-daily.html',
 * });
 * rendered.html.includes('%%{unsubscribe_url}%%'); // true
 * ```
 */
export async function renderEdition(content: EditionContent, options: RenderOptions): Promise<RenderedEdition> {
  const ctx = renderContext(options.branding, options.templatesDir, { trackClicks: options.trackClicks === true });
  const editionUrl = checkedEditionUrl(options.editionUrl);
  const lang = languageTag(content.language);
  const date = formatEditionDate(content.to, lang);
  const full = buildDigestView(content, { pageUrl: editionUrl });
  const total = storyCount(full);
  if (total === 0) throw new RenderError(`Edition ${content.id} has no story to render`);

  const cache = new FragmentCache();
  const reason = digestReason(ctx.branding.siteName, content.job);
  const intro = introFor(content.job);
  const dateline = date ? `<p style="margin:6px 0 0;font-size:15px;">${escapeText(date)}</p>` : '';
  const variant: Variant = (view, omitted) => {
    const picks = view.picks.map((pick, index) =>
      cache.get(`${pick.key}:${index === 0 ? 'hero' : 'compact'}`, () => pickFragment(ctx, pick, index === 0)),
    );
    const sections = view.sections.map((section) =>
      fragment(ctx, 'section', {
        section: escapeText(section.name),
        cards: section.stories.map((s) => cache.get(s.key, () => fragment(ctx, 'card', storySlots(ctx, s)))).join('\n'),
      }),
    );
    const subject = subjectFor(options.subjectPattern, ctx.branding, view, date);
    const lead = leadStory(view);
    return {
      lang,
      title: escapeText(subject),
      preheader: escapeText(buildPreheader(lead?.summary ?? '', allStories(view).map((s) => s.headline))),
      dateline,
      greeting: greeting(),
      intro: escapeText(intro),
      reason: escapeText(reason),
      editors_choice: picks.length > 0 ? fragment(ctx, 'editors-choice', { hero: picks[0] ?? '', picks: picks.slice(1).join('\n') }) : '',
      sections: sections.join('\n'),
      more_stories: moreStories(ctx, omitted, editionUrl),
    };
  };

  const fitted = await fitToBudget(ctx, 'digest.mjml', full, variant, options.maxHtmlBytes ?? DEFAULT_MAX_HTML_BYTES, options.observer);
  const subject = subjectFor(options.subjectPattern, ctx.branding, fitted.view, date);
  const lead = leadStory(fitted.view);
  const text = digestText(fitted.view, {
    branding: ctx.branding,
    date,
    greeting: greeting(),
    intro,
    reason,
    omitted: fitted.omitted,
    editionUrl,
    omittedNote: omittedNote(fitted.omitted),
  });
  return {
    editionId: content.id,
    subject,
    preheader: buildPreheader(lead?.summary ?? '', allStories(fitted.view).map((s) => s.headline)),
    html: fitted.html,
    text,
    language: lang,
    tokens: tokensIn(fitted.html, text),
    shown: storyCount(fitted.view),
    omitted: fitted.omitted,
  };
}
