/**
 * Summarises what V8's optimising compiler did in a process, from its `--trace-opt
 * --trace-deopt` output (a send container's, written by `npm run bench -- --only=scale
 * --send-flags="--trace-opt --trace-deopt" --send-output=DIR`): how many TurboFan compiles and
 * how long they took (a function compiled again after a deoptimisation counts apart, as
 * "again"), and the deoptimisations by function and reason.
 *
 *   node --import tsx bench/lib/v8-trace-summary.ts DIR/10000/send-container-*.log
 *
 * The times are V8's own (its three compile phases, on its worker threads mostly): they say
 * where the containers' warm-up goes, not what a run costs.
 */
import { readFileSync } from 'node:fs';

/** One trace's figures. */
export interface TraceSummary {
  compiles: number;
  compileMs: number;
  /** Compiles of a function compiled before (after a deoptimisation), and their time. */
  again: number;
  againMs: number;
  /** Time of the compiles again, by function (minified names in a bundle). */
  againByFunction: [string, number][];
  /** Deoptimisations by "function | reason". */
  deopts: [string, number][];
}

const COMPILED = /completed compiling 0x[0-9a-f]+ <JSFunction ?([^ >]*) \(sfi = (0x[0-9a-f]+)\)>.*? - took ([0-9.]+), ([0-9.]+), ([0-9.]+) ms/;
const BAILOUT = /bailout \(kind: ([^,]+), reason: ([^)]*)\): begin\. deoptimizing 0x[0-9a-f]+ <JSFunction ?([^ >]*) \(sfi/;

/**
 * @example
 * ```ts
 * const s = summariseTrace(readFileSync('/tmp/out/10000/send-container-123.log', 'utf8'));
 * s.againMs; // time V8 spent compiling functions again after their deoptimisation
 * ```
 */
export function summariseTrace(text: string): TraceSummary {
  const seen = new Set<string>();
  const againBy = new Map<string, number>();
  const deopts = new Map<string, number>();
  let compiles = 0;
  let compileMs = 0;
  let again = 0;
  let againMs = 0;
  for (const line of text.split('\n')) {
    const c = COMPILED.exec(line);
    if (c) {
      const ms = Number(c[3]) + Number(c[4]) + Number(c[5]);
      compiles += 1;
      compileMs += ms;
      const sfi = c[2] as string;
      if (seen.has(sfi)) {
        again += 1;
        againMs += ms;
        const name = c[1] || '(anonymous)';
        againBy.set(name, (againBy.get(name) ?? 0) + ms);
      } else seen.add(sfi);
      continue;
    }
    const b = BAILOUT.exec(line);
    if (b && b[1] !== 'deopt-lazy') {
      const key = `${b[3] || '(anonymous)'} | ${b[2]}`;
      deopts.set(key, (deopts.get(key) ?? 0) + 1);
    }
  }
  const top = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
  return { compiles, compileMs, again, againMs, againByFunction: top(againBy).slice(0, 8), deopts: top(deopts) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of process.argv.slice(2)) {
    const s = summariseTrace(readFileSync(file, 'utf8'));
    process.stdout.write(
      `${file}\n  TurboFan compiles: ${s.compiles}, ${s.compileMs.toFixed(0)} ms; again after a deoptimisation: ${s.again}, ${s.againMs.toFixed(0)} ms` +
        `\n  again, by function (ms): ${s.againByFunction.map(([f, ms]) => `${f} ${ms.toFixed(0)}`).join(', ') || 'none'}` +
        `\n  eager and soft deoptimisations: ${s.deopts.map(([k, n]) => `${k} ×${n}`).join('; ') || 'none'}\n`,
    );
  }
}
