/** Parses the command line of SPEC §6 into a command and its options; usage errors exit 2. */
import { parseArgs } from 'node:util';
import { UserError } from '../engine/errors';
import { parseShard, type Shard } from '../engine/shard/parseShard';

export type Format = 'text' | 'json' | 'sarif' | 'junit' | 'html';

export interface CliArgs {
  command: 'check' | 'impact' | 'init' | 'lsp' | 'install-hook' | 'merge-reports' | 'help' | 'version';
  staged: boolean;
  base?: string;
  config?: string;
  format: Format;
  output?: string;
  noData: boolean;
  debug: boolean;
  noCache: boolean;
  force: boolean;
  dryRun: boolean;
  /** `init --snapshot PATH` (repeatable): snapshots to use beside those found in the repository (an s3:// or https:// URL, a folder, a glob). */
  snapshots: string[];
  refresh: boolean;
  /** `check --shard I/N`. */
  shard?: Shard;
  /** `merge-reports FILE...`. */
  files: string[];
}

const FORMATS: Record<CliArgs['command'], Format[]> = {
  check: ['text', 'json', 'sarif', 'junit', 'html'],
  impact: ['text', 'json'],
  init: ['text'],
  lsp: ['text'],
  'install-hook': ['text'],
  'merge-reports': ['text', 'json', 'sarif', 'junit', 'html'],
  help: ['text'],
  version: ['text'],
};

export const USAGE = `Usage:
  featureguard check   [--staged | --base REV] [--config FILE] [--format text|json|sarif|junit|html] [--output FILE] [--no-data] [--refresh] [--shard I/N] [--debug]
  featureguard impact  [--staged | --base REV] [--config FILE] [--format text|json]
  featureguard init    [--force] [--dry-run] [--snapshot PATH_OR_URL]...
  featureguard merge-reports FILE... [--format text|json|sarif|junit|html] [--output FILE]
  featureguard install-hook [--force]
  featureguard lsp --stdio

Compares the feature code at HEAD (or --base REV) with the working tree (or, with --staged, the
index) and reports the ML features an edit reaches. \`check --shard I/N --format json\` checks a
deterministic Nth of the affected features (one CI machine each); \`merge-reports\` makes the
unsharded report of all N shard reports. Exit codes: 0 no error finding, 1 at least one
error finding, 2 could not run.`;

export function parseCli(argv: string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        staged: { type: 'boolean', default: false },
        base: { type: 'string' },
        config: { type: 'string' },
        format: { type: 'string', default: 'text' },
        output: { type: 'string' },
        'no-data': { type: 'boolean', default: false },
        'no-cache': { type: 'boolean', default: false },
        refresh: { type: 'boolean', default: false },
        shard: { type: 'string' },
        debug: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        snapshot: { type: 'string', multiple: true },
        stdio: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (err) {
    throw new UserError(`${(err as Error).message.split('\n')[0]}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  if (values.version) return base('version', values);
  const name = positionals[0];
  if (values.help || name === undefined || name === 'help') return base('help', values);
  if (name !== 'check' && name !== 'impact' && name !== 'init' && name !== 'lsp' && name !== 'install-hook' && name !== 'merge-reports') throw new UserError(`unknown command "${name}"\n${USAGE}`);
  if (values.shard !== undefined && name !== 'check') throw new UserError(`--shard is an option of "check" only`);
  if (values.snapshot !== undefined && name !== 'init') throw new UserError(`--snapshot is an option of "init" only`);
  if (name === 'merge-reports') {
    if (positionals.length < 2) throw new UserError(`merge-reports needs the JSON reports of every shard (featureguard merge-reports a.json b.json …)\n${USAGE}`);
  } else if (positionals.length > 1) throw new UserError(`unexpected argument "${positionals[1]}"\n${USAGE}`);
  if (values.staged && values.base) throw new UserError('--staged and --base cannot be used together (--staged compares HEAD with the index)');
  const format = values.format as Format;
  if (!FORMATS[name].includes(format)) throw new UserError(`--format ${format} is not supported by "${name}" (use ${FORMATS[name].join(' or ')})`);
  return { ...base(name, values), ...(values.shard !== undefined ? { shard: parseShard(values.shard) } : {}), files: name === 'merge-reports' ? positionals.slice(1) : [] };
}

function base(command: CliArgs['command'], v: Record<string, string | boolean | string[] | undefined>): CliArgs {
  return {
    command,
    staged: !!v.staged,
    base: v.base as string | undefined,
    config: v.config as string | undefined,
    format: (v.format as Format) ?? 'text',
    output: v.output as string | undefined,
    noData: !!v['no-data'],
    debug: !!v.debug,
    noCache: !!v['no-cache'],
    force: !!v.force,
    dryRun: !!v['dry-run'],
    snapshots: (v.snapshot as string[] | undefined) ?? [],
    refresh: !!v.refresh,
    files: [],
  };
}
