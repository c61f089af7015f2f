#!/usr/bin/env node
/**
 * `digest`: the command line of the news digest (`npm run digest -- …`). `run` and `render`
 * start the embedded local stack in-process on free ports and run the very handlers that AWS
 * invokes; the other commands work on the configured environment: the stack of a running
 * `npm start` when there is one, else the AWS variables. See functions/cli/cli.ts.
 */
import { runCli } from '../../functions/cli/cli.ts';
import { standaloneCommands } from './cli-commands.ts';
import { useStack } from './local-run.ts';
import { readLocalState } from './local-state.ts';

process.exitCode = await runCli(process.argv.slice(2), {
  standalone: standaloneCommands,
  async connect() {
    const state = await readLocalState();
    if (state) useStack(state.env);
  },
});
