#!/usr/bin/env node
// Entry point of the icl-lab command: registers tsx so Node runs the TypeScript sources, then hands
// the arguments to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
