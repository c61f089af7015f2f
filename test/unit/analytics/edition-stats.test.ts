import { describe, expect, it } from 'vitest';
import { EditionStatsReader, reviewWarnings, statsOf } from '../../../functions/core/analytics/edition-stats.ts';
import { timelineSvg } from '../../../functions/core/analytics/stats-chart.ts';
import { COUNTERS, type Counter } from '../../../functions/core/analytics/types.ts';
import { EditionOverview } from '../../../functions/core/editors/edition-overview.ts';
import { makeEditionRecord } from '../../kit/fixtures/index.ts';
import { InMemoryDeliveryLedger, InMemoryEditionRepository, InMemoryEngagementStore } from '../../kit/memory/index.ts';

const zero = (): Record<Counter, number> => Object.fromEntries(COUNTERS.map((c) => [c, 0])) as Record<Counter, number>;

describe('Function: reviewWarnings', () => {
  it.each([
    [{ sent: 1000, bouncedPermanent: 49, complained: 0 }, []],
    [{ sent: 1000, bouncedPermanent: 50, complained: 0 }, [/^bounce rate 5\.0% is at or over 5%/]],
    [{ sent: 1000, bouncedPermanent: 0, complained: 1 }, [/^complaint rate 0\.10% is at or over 0\.1%/]],
    [{ sent: 10_000, bouncedPermanent: 0, complained: 9 }, []],
    [{ sent: 0, bouncedPermanent: 0, complained: 0 }, []],
  ])('warns at SES\'s review levels: %o', (counters, expected) => {
    const warnings = reviewWarnings(counters);
    expect(warnings).toHaveLength(expected.length);
    expected.forEach((pattern, i) => expect(warnings[i]).toMatch(pattern));
  });
});

describe('Function: statsOf', () => {
  it('makes the funnel from unique opens and clicks, as shares of sent', () => {
    const counters = { ...zero(), sent: 200, delivered: 190, opens: 90, uniqueOpens: 60, clicks: 40, uniqueClicks: 30, bouncedPermanent: 6, bouncedTransient: 4 };
    const stats = statsOf('daily-2026-12-01', { counters, links: [], timeline: [] });
    expect(stats.funnel).toEqual([
      { step: 'sent', count: 200, share: 1 },
      { step: 'delivered', count: 190, share: 0.95 },
      { step: 'opened', count: 60, share: 0.3 },
      { step: 'clicked', count: 30, share: 0.15 },
    ]);
    expect(stats.rates).toEqual({ bounce: 0.03, complaint: 0 });
    expect(stats.warnings).toEqual([]);
  });

  it('keeps the top 10 links', () => {
    const links = Array.from({ length: 12 }, (_, n) => ({ url: `https://x.example/${n}`, clicks: 12 - n }));
    expect(statsOf('e', { counters: zero(), links, timeline: [] }).links).toHaveLength(10);
  });
});

describe('Class: EditionStatsReader', () => {
  it('answers NotFound for an edition that does not exist, and the stats of one that does', async () => {
    const editions = new InMemoryEditionRepository();
    const engagement = new InMemoryEngagementStore();
    await editions.createIfAbsent(makeEditionRecord({ id: 'daily-2026-12-01', state: 'sent', subject: 'Hello' }));
    await engagement.add('daily-2026-12-01', 3, { counters: { sent: 20, bouncedPermanent: 2 }, minute: '2026-12-01T06:00' });
    const reader = new EditionStatsReader({ editions, engagement });
    await expect(reader.get('daily-1999-01-01')).rejects.toMatchObject({ name: 'NotFoundError' });
    const stats = await reader.get('daily-2026-12-01');
    expect(stats).toMatchObject({ edition: 'daily-2026-12-01', state: 'sent', subject: 'Hello', timeline: [{ minute: '2026-12-01T06:00', sent: 20, delivered: 0 }] });
    expect(stats.warnings).toEqual([expect.stringMatching(/^bounce rate 10\.0%/)]);
  });

  it('puts the warnings on the edition list (sending and sent editions)', async () => {
    const editions = new InMemoryEditionRepository();
    const engagement = new InMemoryEngagementStore();
    await editions.createIfAbsent(makeEditionRecord({ id: 'daily-2026-12-01', state: 'sent' }));
    await engagement.add('daily-2026-12-01', 0, { counters: { sent: 100, complained: 1 } });
    const reader = new EditionStatsReader({ editions, engagement });
    const overview = new EditionOverview({ editions, ledger: new InMemoryDeliveryLedger(), warnings: (id) => reader.warnings(id) });
    const [summary] = await overview.list();
    expect(summary?.warnings).toEqual([expect.stringMatching(/^complaint rate 1\.00%/)]);
  });
});

describe('Function: timelineSvg', () => {
  it('draws cumulative sends and deliveries as two lines, with an accessible label and escaped text', () => {
    const svg = timelineSvg([{ minute: '2026-12-01T06:00', sent: 3, delivered: 1 }, { minute: '2026-12-01T06:05', sent: 1, delivered: 2 }]);
    expect(svg).toMatch(/^<svg [^>]*role="img" aria-label="Sends and deliveries over time: 4 sent, 3 delivered"/);
    expect(svg.match(/<polyline /g)).toHaveLength(2);
    expect(svg).not.toMatch(/<script|on\w+=/i);
    expect(svg).toContain('05:59 UTC');
    expect(svg).toContain('06:05 UTC');
  });

  it('says so when nothing was sent yet', () => {
    expect(timelineSvg([])).toContain('No sends recorded yet');
  });
});
