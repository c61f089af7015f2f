import { describe, expect, it } from 'vitest';
import { isSubscriberLink, markUntracked, trackedLinks } from '../../../functions/core/rendering/link-tracking.ts';
import { MjmlEditionRenderer } from '../../../functions/core/rendering/edition-renderer.ts';
import { Links } from '../../../functions/core/links.ts';
import { makeBranding, makeContent } from '../../kit/fixtures/index.ts';

const SUBSCRIBER_LINKS = /%%\{(unsubscribe_url|preferences_url)\}%%/;

describe('Module: rendering/link-tracking', () => {
  it('recognises the subscriber\'s own links', () => {
    expect(isSubscriberLink('%%{unsubscribe_url}%%')).toBe(true);
    expect(isSubscriberLink('%%{preferences_url}%%')).toBe(true);
    expect(isSubscriberLink('https://digest.example.com/confirm?token=abc')).toBe(true);
    expect(isSubscriberLink('https://digest.example.com/unsubscribe?token=abc')).toBe(true);
    expect(isSubscriberLink('https://www.example.org/news/unsubscribe-culture')).toBe(false);
    expect(isSubscriberLink('https://www.example.org/a')).toBe(false);
  });

  it('marks every anchor untracked when tracking is off, only the subscriber\'s links when on, and never twice', () => {
    const html = '<p><a href="https://x.example/a" style="c">A</a> <a href="%%{unsubscribe_url}%%">U</a> <a ses:no-track href="https://x.example/b">B</a> <a name="top">T</a></p>';
    expect(markUntracked(html, { track: false })).toBe('<p><a ses:no-track href="https://x.example/a" style="c">A</a> <a ses:no-track href="%%{unsubscribe_url}%%">U</a> <a ses:no-track href="https://x.example/b">B</a> <a name="top">T</a></p>');
    expect(markUntracked(html, { track: true })).toBe('<p><a href="https://x.example/a" style="c">A</a> <a ses:no-track href="%%{unsubscribe_url}%%">U</a> <a ses:no-track href="https://x.example/b">B</a> <a name="top">T</a></p>');
    expect(trackedLinks(markUntracked(html, { track: true }))).toEqual(['https://x.example/a']);
  });
});

describe('Class: MjmlEditionRenderer (click tracking)', () => {
  const links = new Links({ publicBaseUrl: 'https://digest.example.com', archiveBaseUrl: 'https://digest.example.com/archive' });

  it('tracks no link of an edition by default', async () => {
    // Act
    const rendered = await new MjmlEditionRenderer({ branding: makeBranding(), links }).render(makeContent());

    // Assess
    expect(trackedLinks(rendered.html)).toEqual([]);
    expect(rendered.html).toMatch(/<a ses:no-track[^>]*href="%%\{unsubscribe_url\}%%"/);
  });

  it('with click tracking on for the job, tracks the stories\' links and never the unsubscribe and preferences links', async () => {
    // Act
    const rendered = await new MjmlEditionRenderer({ branding: makeBranding(), links, clickTracking: ['daily'] }).render(makeContent());
    const weekly = await new MjmlEditionRenderer({ branding: makeBranding(), links, clickTracking: ['weekly'] }).render(makeContent());

    // Assess
    const tracked = trackedLinks(rendered.html);
    expect(tracked.length).toBeGreaterThan(2);
    expect(tracked.some((href) => SUBSCRIBER_LINKS.test(href))).toBe(false);
    for (const token of ['unsubscribe_url', 'preferences_url']) {
      expect(rendered.html).toMatch(new RegExp(`<a ses:no-track[^>]*href="%%\\{${token}\\}%%"`));
    }
    expect(trackedLinks(weekly.html)).toEqual([]);
  });
});
