/**
 * `serverless package` as CI runs it (no AWS credentials), in a private working directory so
 * that its build folders never collide with a developer's or another test's.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from '../../infra/local/cfn.ts';
import { linkedWorkdir } from '../../infra/local/workdir.ts';

/** A CloudFormation template as `serverless package` writes it (JSON, long-form intrinsics). */
export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown>; DependsOn?: string | string[] }>;
}

export interface Packaged {
  /** `cloudformation-template-update-stack.json`. */
  template: CfnTemplate;
  /** How long `serverless package` took. */
  seconds: number;
}

/** Variables that would let serverless reach AWS: packaging must need none of them. */
const AWS_CREDENTIALS = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'];

/**
 * Packages the service (stage `dev`, the default) and returns its update-stack template.
 *
 * @throws Error with the tail of serverless' output when packaging fails.
 * @example
 * ```ts
 * const { template } = await packageService();
 * template.Resources.SendRole?.Type; // 'AWS::IAM::Role'
 * ```
 */
export async function packageService(options: { timeoutMs?: number } = {}): Promise<Packaged> {
  // serverless does not take a symlinked service file: it is copied.
  const workdir = await linkedWorkdir('news-digest-package-', { exclude: ['serverless.yml'] });
  await copyFile(join(REPO_ROOT, 'serverless.yml'), join(workdir.dir, 'serverless.yml'));
  const out = join(workdir.dir, 'package-out');
  // Packaging leaves a staging folder per function in the temporary directory: in this one,
  // they go with the working directory.
  const tmp = join(workdir.dir, 'tmp');
  await mkdir(tmp);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TMPDIR: tmp,
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
  };
  for (const name of AWS_CREDENTIALS) delete env[name];
  const started = performance.now();
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'node_modules/serverless/bin/serverless.js'), 'package', '--package', out], {
        cwd: workdir.dir,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: options.timeoutMs ?? 300_000,
      });
      let output = '';
      const collect = (chunk: Buffer): void => {
        output = (output + chunk.toString('utf8')).slice(-8_000);
      };
      child.stdout.on('data', collect);
      child.stderr.on('data', collect);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`serverless package failed (${code ?? signal}):\n${output}`));
      });
    });
    const template = JSON.parse(await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate;
    return { template, seconds: (performance.now() - started) / 1000 };
  } finally {
    await workdir.remove();
  }
}
