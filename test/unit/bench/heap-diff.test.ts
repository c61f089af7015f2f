import { describe, expect, it } from 'vitest';
import { diffHeaps, tallyHeap } from '../../../bench/lib/heap-diff.ts';

/** A heap snapshot's shape (node_fields and node_types as V8 writes them), with the given nodes. */
function snapshot(nodes: { type: string; name: string; size: number }[]) {
  const types = ['hidden', 'array', 'string', 'object', 'code', 'closure', 'regexp', 'number', 'native', 'synthetic', 'concatenated string', 'sliced string', 'symbol', 'bigint', 'object shape'];
  const strings: string[] = [];
  const index = (s: string) => (strings.includes(s) ? strings.indexOf(s) : strings.push(s) - 1);
  return {
    snapshot: { meta: { node_fields: ['type', 'name', 'id', 'self_size', 'edge_count', 'trace_node_id', 'detachedness'], node_types: [types] as [string[]] } },
    nodes: nodes.flatMap((n, i) => [types.indexOf(n.type), index(n.name), i + 1, n.size, 0, 0, 0]),
    strings,
  };
}

describe('heap-diff', () => {
  it('sums self sizes by type and name, compiled code apart, strings as one entry per type', () => {
    // Prepare
    const heap = snapshot([
      { type: 'object', name: 'Subscriber', size: 100 },
      { type: 'object', name: 'Subscriber', size: 60 },
      { type: 'string', name: 'ada@example.org', size: 40 },
      { type: 'string', name: 'other text', size: 24 },
      { type: 'code', name: '(code deopt data)', size: 300 },
      { type: 'code', name: '(code for processTask)', size: 500 },
    ]);

    // Act
    const tally = tallyHeap(heap);

    // Assess
    expect(tally.totalBytes).toBe(1024);
    expect(tally.codeBytes).toBe(800);
    expect(tally.byKey.get('object | Subscriber')).toEqual({ bytes: 160, count: 2 });
    expect(tally.byKey.get('string | (strings)')).toEqual({ bytes: 64, count: 2 });
    expect(tally.byKey.get('code | (code for a function)')).toEqual({ bytes: 500, count: 1 });
  });

  it('tells growth in compiled code from growth in the objects held', () => {
    // Prepare
    const before = tallyHeap(snapshot([{ type: 'object', name: 'Subscriber', size: 1024 }, { type: 'code', name: '(code deopt data)', size: 1024 }]));
    const after = tallyHeap(snapshot([{ type: 'object', name: 'Subscriber', size: 1024 }, { type: 'code', name: '(code deopt data)', size: 1024 * 301 }]));

    // Act
    const report = diffHeaps(before, after, 5);

    // Assess
    expect(report).toMatch(/compiled code: 0\.00 → 0\.29 MB \(\+300 KB\)/);
    expect(report).toMatch(/the rest: +0\.00 → 0\.00 MB \(0 KB\)/);
    expect(report.split('\n')[4]).toMatch(/^ +\+300 +1 → 1 +code \| \(code deopt data\)$/);
  });
});
