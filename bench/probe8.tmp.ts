import { runChild, startService } from './lib/child.ts';
const ses = await startService<{ url: string }>('infra/local/ses-front-process.ts', ['--latency', '100', '--max-send-rate', '100000', '--quota', '100000000', '--no-forward', '--no-mailbox', '--no-raw', '--stop-on-stdin-close']);
try {
  const r = await runChild('send-worker.ts', { sesUrl: ses.info.url, concurrency: Number(process.argv[2] ?? 128), throughput: { rounds: 3, perRound: 1500, warmup: 500 }, rate: { rounds: 2, seconds: 3, cap: 50 }, checkEvery: 500 }, { verbose: true, nodeArgs: process.env.PROF ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof4'] : [] });
  console.log(JSON.stringify(r, null, 1));
} finally { await ses.stop(); }
