/**
 * `dist/cli.js`: loads the CLI (`dist/cli-main.js`, built from `main.ts`) through V8's code cache
 * (`engine/codeCache.ts`), which saves most of the bundle's parse at every start. One cache per
 * command, since each compiles different functions; anything else (help, a typo) shares one.
 */
import { join } from 'node:path';
import { requireWithCodeCache } from '../engine/codeCache';

const COMMANDS = new Set(['impact', 'check', 'init', 'lsp', 'install-hook', 'merge-reports']);
const command = process.argv[2] ?? '';
requireWithCodeCache(join(__dirname, 'cli-main.js'), COMMANDS.has(command) ? command : 'other');
