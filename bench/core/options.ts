/** The bench's command line (see bench/main.ts for what each option does). */
import type { BenchOptions } from './types';

/** The families `--only` accepts besides `typescript` (which runs the TypeScript workspaces alone). */
export const ONLY_FAMILIES = ['python', 'models', 'datasets', 'scale', 'floor', 'small', 'sampling'];

export function parseOptions(argv: string[]): BenchOptions {
  const o: BenchOptions = { large: process.env.BENCH_LARGE === '1', runs: 5, edits: 20, checkRuns: 3, keystrokes: 50, saves: 5, statsReps: 20, pyRuns: 3, regenerate: false, write: true, readme: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--large') o.large = true;
    else if (a === '--large-only') o.large = o.largeOnly = true;
    else if (a === '--check-runs') (o.checkRuns = Number(argv[++i])), (o.given = { ...o.given, checkRuns: true });
    else if (a === '--keystrokes') o.keystrokes = Number(argv[++i]);
    else if (a === '--saves') o.saves = Number(argv[++i]);
    else if (a === '--stats-reps') o.statsReps = Number(argv[++i]);
    else if (a === '--sections') o.sections = argv[++i].split(',');
    else if (a === '--no-readme') o.readme = false;
    else if (a === '--regenerate') o.regenerate = true;
    else if (a === '--no-write') o.write = false;
    else if (a === '--keep') o.keep = true;
    else if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--edits') o.edits = Number(argv[++i]);
    else if (a === '--py-runs') o.pyRuns = Number(argv[++i]);
    else if (a === '--only') {
      o.only = argv[++i];
      if (![...ONLY_FAMILIES, 'typescript'].includes(o.only)) throw new Error(`--only expects typescript, ${ONLY_FAMILIES.slice(0, -1).join(', ')} or ${ONLY_FAMILIES[ONLY_FAMILIES.length - 1]}`);
    } else throw new Error(`unknown option ${a}`);
  }
  for (const k of ['runs', 'edits', 'checkRuns', 'keystrokes', 'saves', 'statsReps', 'pyRuns'] as const) if (!(o[k] >= 1)) throw new Error(`--${k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())} expects a positive number`);
  return o;
}
