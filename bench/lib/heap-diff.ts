/**
 * What grew between two V8 heap snapshots (`bench --heap-snapshots=DIR` writes one per send
 * container at the end of each scale run, after the forced GC that `liveHeapMb` reads): the
 * self sizes summed by node type and constructor name, V8's compiled code (node type `code`:
 * machine code, its deoptimisation data and relocation info, bytecode, feedback vectors) apart
 * from the objects the function holds. A leak shows as objects, strings or arrays that grow
 * with the readers; a container that ran hot longer shows as more optimised code.
 *
 *   node --import tsx bench/lib/heap-diff.ts SMALLER.heapsnapshot LARGER.heapsnapshot [TOP]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

/** Bytes by `type | name` (strings collapsed into one entry per type), and the totals. */
export interface HeapTally {
  byKey: Map<string, { bytes: number; count: number }>;
  totalBytes: number;
  codeBytes: number;
}

/**
 * Sums a snapshot's self sizes by node type and name.
 *
 * @example
 * ```ts
 * const { totalBytes, codeBytes } = tallyHeap(JSON.parse(readFileSync('send-123.heapsnapshot', 'utf8')));
 * ```
 */
export function tallyHeap(snapshot: Snapshot): HeapTally {
  const fields = snapshot.snapshot.meta.node_fields;
  const types = snapshot.snapshot.meta.node_types[0];
  const width = fields.length;
  const at = { type: fields.indexOf('type'), name: fields.indexOf('name'), size: fields.indexOf('self_size') };
  const byKey = new Map<string, { bytes: number; count: number }>();
  let totalBytes = 0;
  let codeBytes = 0;
  for (let i = 0; i < snapshot.nodes.length; i += width) {
    const type = types[snapshot.nodes[i + at.type] ?? 0] ?? '?';
    const size = snapshot.nodes[i + at.size] ?? 0;
    let name = snapshot.strings[snapshot.nodes[i + at.name] ?? 0] ?? '';
    if (type.includes('string')) name = '(strings)';
    else if (name.startsWith('(code for ')) name = '(code for a function)';
    const key = `${type} | ${name.slice(0, 60)}`;
    const entry = byKey.get(key) ?? { bytes: 0, count: 0 };
    entry.bytes += size;
    entry.count += 1;
    byKey.set(key, entry);
    totalBytes += size;
    if (type === 'code') codeBytes += size;
  }
  return { byKey, totalBytes, codeBytes };
}

/**
 * The two tallies side by side: totals, compiled code and the rest, and the `top` entries that
 * changed most.
 */
export function diffHeaps(a: HeapTally, b: HeapTally, top = 25): string {
  const mb = (n: number) => (n / 1024 / 1024).toFixed(2);
  const lines = [
    `all:           ${mb(a.totalBytes)} → ${mb(b.totalBytes)} MB (${signed((b.totalBytes - a.totalBytes) / 1024)} KB)`,
    `compiled code: ${mb(a.codeBytes)} → ${mb(b.codeBytes)} MB (${signed((b.codeBytes - a.codeBytes) / 1024)} KB)`,
    `the rest:      ${mb(a.totalBytes - a.codeBytes)} → ${mb(b.totalBytes - b.codeBytes)} MB (${signed((b.totalBytes - b.codeBytes - a.totalBytes + a.codeBytes) / 1024)} KB)`,
    '-- largest changes (KB, count before → after, type | name)',
  ];
  const keys = new Set([...a.byKey.keys(), ...b.byKey.keys()]);
  const changes = [...keys]
    .map((key) => ({ key, before: a.byKey.get(key) ?? { bytes: 0, count: 0 }, after: b.byKey.get(key) ?? { bytes: 0, count: 0 } }))
    .sort((x, y) => Math.abs(y.after.bytes - y.before.bytes) - Math.abs(x.after.bytes - x.before.bytes))
    .slice(0, top);
  for (const { key, before, after } of changes) {
    lines.push(`${signed((after.bytes - before.bytes) / 1024).padStart(8)}  ${String(before.count).padStart(7)} → ${String(after.count).padEnd(7)} ${key}`);
  }
  return lines.join('\n');
}

function signed(n: number): string {
  const r = Math.round(n);
  return r > 0 ? `+${r}` : String(r);
}

if (process.argv[1]?.endsWith('heap-diff.ts')) {
  const [before, after, top] = process.argv.slice(2);
  if (!before || !after) throw new Error('usage: node --import tsx bench/lib/heap-diff.ts SMALLER.heapsnapshot LARGER.heapsnapshot [TOP]');
  const read = (file: string) => tallyHeap(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
  console.log(diffHeaps(read(before), read(after), top ? Number(top) : undefined));
}
