/** The TypeScript/JavaScript front end: summaries from raw compiler nodes, relative import resolution. */
import type { LanguageFrontEnd } from '../frontEnd';
import { loadCompiler } from './compiler';
import { resolveImport } from './resolveImport';
import { summarizeModule } from './summarizeModule';

const HANDLED = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

export const typescriptFrontEnd: LanguageFrontEnd = {
  cacheKey: 'ts-summary-v2',
  pathspecs: ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs'].map((e) => `*.${e}`),
  handles: (path) => HANDLED.test(path) && !path.endsWith('.d.ts') && !/(^|\/)node_modules\//.test(path),
  // Loaded while the files are read (summarizeTree starts the reading first).
  prepare: async () => void loadCompiler(),
  summarize: summarizeModule,
  resolveImport,
};
