#!/usr/bin/env node
/**
 * `digest`: the command line of the news digest (`npm run digest -- …`). `run` and `render`
 * start the embedded local stack in-process on free ports and run the very handlers that AWS
 * invokes; the other commands work on the configured environment: the stack of a running
 * `npm start` when there is one, else the AWS variables. See functions/cli/cli.ts.
 */
import { runCli, type Command } from '../../functions/cli/cli.ts';
import { readLocalState } from './local-state.ts';

/** A command of cli-commands.ts, loaded only when it runs (it brings the emulators and MJML). */
const embedded =
  (name: 'run' | 'render'): Command =>
  async (args, options) =>
    (await import('./cli-commands.ts')).standaloneCommands[name]!(args, options);

process.exitCode = await runCli(process.argv.slice(2), {
  standalone: { run: embedded('run'), render: embedded('render') },
  async connect() {
    const state = await readLocalState();
    if (state) (await import('./local-run.ts')).useStack(state.env);
  },
  // The running npm start's editors' API, with a token from its local issuer (as local-editor).
  async localEditorApi() {
    const state = await readLocalState();
    const issuer = state?.env.EDITOR_AUTH_ISSUER;
    const endpoint = state?.env.PUBLIC_BASE_URL;
    if (!issuer || !endpoint) return undefined;
    return {
      endpoint,
      token: async () => {
        const response = await fetch(`${issuer}/dev/token`, { method: 'POST', signal: AbortSignal.timeout(5_000) });
        const body = (await response.json()) as { access_token?: string };
        if (!response.ok || !body.access_token) throw new Error(`the local issuer at ${issuer} gave no token (HTTP ${response.status})`);
        return body.access_token;
      },
    };
  },
});
