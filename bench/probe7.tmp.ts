import { runChild, startService } from './lib/child.ts';
import { readFileSync } from 'node:fs';
function cpuOf(pid: number){ const f=readFileSync(`/proc/${pid}/stat`,'utf8').split(') ')[1]!.split(' '); return (Number(f[11])+Number(f[12]))/100; }
import { localAppEnv } from '../infra/local/app-env.ts';
const n = Number(process.argv[2] ?? 1000);
let t = performance.now();
const stack = await startService<{ env: Record<string, string> }>('bench/lib/stack-process.ts', ['{}'], { nodeArgs: process.env.SPROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof3'] : [] });
console.log('stack', performance.now() - t); t = performance.now();
const env = localAppEnv({ env: stack.info.env }, { httpPort: 9, logLevel: 'ERROR' });
console.log(await runChild('scale-worker.ts', { phase: 'seed', env, subscribers: n }, { verbose: true }));
console.log('seed', performance.now() - t); t = performance.now();
const sc = cpuOf(stack.process.pid!);
console.log(await runChild('scale-worker.ts', { phase: 'run', env, subscribers: n, pollers: Number(process.argv[3] ?? 8) }, { verbose: true, nodeArgs: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof2'] : [] }));
console.log('run', performance.now() - t, 'stack cpu s', cpuOf(stack.process.pid!) - sc);
await stack.stop();
