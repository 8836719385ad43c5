/**
 * The default TypeScript workspace (bench/work/ws-…): 500 modules, 50 features, a 100k-row
 * snapshot. The TypeScript family measures on it; floor, scale, datasets and models reuse it (each
 * in its own private clone), so they declare it with this one spread.
 */
import { generateWorkspace, generatorVersion } from '../generators/generateWorkspace';
import type { Family } from './types';

export const DEFAULT_TS_WORKSPACE = {
  language: 'TypeScript',
  prefix: 'ws',
  params: { modules: 500, features: 50, rows: 100_000, seed: 1 },
  generate: generateWorkspace,
  generatorVersion,
} satisfies Partial<Family>;
