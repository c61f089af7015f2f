/**
 * The V8 heap limits a function runs with on Lambda. Lambda's Node.js runtime starts node
 * with limits derived from the function's memory size (its bootstrap script: new space =
 * memory / 10, semi-space = half of that, old space = the rest), and V8 sizes its heap
 * growth by them: with the limits of a 512 MB function it collects garbage long before a
 * desktop default heap would. The benchmark processes that stand for a function run with
 * that function's limits, read from serverless.yml, so that their peak memory is the one
 * Lambda would see.
 */
import { loadServerlessConfig } from '../../infra/local/cfn.ts';

const DEFAULT_LAMBDA_MEMORY_MB = 1024;

/** The memory size of a function in serverless.yml (its own, else the provider's). */
export async function functionMemoryMb(name: string): Promise<number> {
  const config = (await loadServerlessConfig()) as
    | { provider?: { memorySize?: unknown }; functions?: Record<string, { memorySize?: unknown } | undefined> }
    | undefined;
  const own = Number(config?.functions?.[name]?.memorySize);
  if (Number.isFinite(own) && own > 0) return own;
  const provider = Number(config?.provider?.memorySize);
  return Number.isFinite(provider) && provider > 0 ? provider : DEFAULT_LAMBDA_MEMORY_MB;
}

/** Node arguments for a process standing in for function `name`. */
export async function lambdaNodeArgs(name: string): Promise<{ memoryMb: number; nodeArgs: string[] }> {
  const memoryMb = await functionMemoryMb(name);
  const newSpace = Math.floor(memoryMb / 10);
  return {
    memoryMb,
    nodeArgs: [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`],
  };
}

