import { describe, expect, it } from 'vitest';
import { summariseTrace } from '../../../bench/lib/v8-trace-summary.ts';

// Lines as Node 20's V8 writes them with --trace-opt --trace-deopt (from a send container).
const compiled = (fn: string, sfi: string, ms: [number, number, number], osr = false) =>
  `[completed compiling 0x3f52aba84349 <JSFunction ${fn}${fn ? ' ' : ''}(sfi = ${sfi})> (target TURBOFAN)${osr ? ' OSR' : ''} - took ${ms.join(', ')} ms]`;
const bailout = (kind: string, reason: string, fn: string) =>
  `[bailout (kind: ${kind}, reason: ${reason}): begin. deoptimizing 0x3f52aba852c1 <JSFunction ${fn}${fn ? ' ' : ''}(sfi = 0x18de1e809189)>, 0x3e30b102f971 <Code TURBOFAN>, opt id 14, bytecode offset 65, deopt exit 46, FP to SP delta 120, caller SP 0x7ffdcf5cfeb0, pc 0x7f7b1809c135]`;

describe('v8-trace-summary', () => {
  it('sums the compiles, tells a function compiled again after a deoptimisation, and counts deoptimisations by function and reason', () => {
    // Prepare
    const trace = [
      '[marking 0x3f52aba84349 <JSFunction gc (sfi = 0x18de1e8037b1)> for optimization to TURBOFAN, ConcurrencyMode::kConcurrent, reason: hot and stable]',
      compiled('gc', '0x18de1e8037b1', [0.15, 4.25, 0.1], true),
      compiled('#_', '0x18de1e809189', [0.1, 10, 0.4]),
      bailout('deopt-eager', 'wrong map', '#_'),
      bailout('deopt-lazy', '(unknown)', '#_'),
      compiled('#_', '0x18de1e809189', [0.1, 7, 0.4]),
      `[marking dependent code 0x2755af1e9401 <Code TURBOFAN> (${bailout('deopt-eager', 'not a Smi', '')}`,
      compiled('', '0x241d31ec7071', [0, 1, 0]),
      bailout('deopt-soft', 'Insufficient type feedback for generic named access', 'gc'),
    ].join('\n');

    // Act
    const summary = summariseTrace(trace);

    // Assess
    expect(summary.compiles).toBe(4);
    expect(summary.compileMs).toBeCloseTo(23.5, 6);
    expect(summary.again).toBe(1);
    expect(summary.againMs).toBeCloseTo(7.5, 6);
    expect(summary.againByFunction).toEqual([['#_', 7.5]]);
    // A lazy deoptimisation follows another (the frames still on the stack): not counted apart.
    expect(summary.deopts).toEqual([
      ['#_ | wrong map', 1],
      ['(anonymous) | not a Smi', 1],
      ['gc | Insufficient type feedback for generic named access', 1],
    ]);
  });

  it('reads a trace without compiles or deoptimisations as none', () => {
    // Act
    const summary = summariseTrace('some other output\n');

    // Assess
    expect(summary).toEqual({ compiles: 0, compileMs: 0, again: 0, againMs: 0, againByFunction: [], deopts: [] });
  });
});
