/**
 * The `featureguard` command. A thin front door: parse arguments, call the engine, print the
 * report, exit 0 (no error finding), 1 (an error finding) or 2 (could not run: one line on stderr
 * naming the file or key at fault; `--debug` adds the stack).
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { openRepo } from '../engine/git/gitRepo';
import { installHook } from '../engine/hooks/installHook';
import { runInit } from '../engine/init/runInit';
import { UserError } from '../engine/errors';
import { mergeReports } from '../engine/report/mergeReports';
import { renderHtml } from '../engine/report/renderHtml';
import { renderJunit } from '../engine/report/renderJunit';
import { renderSarif } from '../engine/report/renderSarif';
import { renderText } from '../engine/report/renderText';
import type { Report } from '../engine/report/reportTypes';
import { runCheck } from '../engine/runCheck';
import { runImpact } from '../engine/runImpact';
import { runLanguageServer } from '../server/main';
import { parseCli, USAGE, type CliArgs } from './parseArgs';
import { toolVersion } from '../engine/version';


async function main(argv: string[]): Promise<number | undefined> {
  let args: CliArgs | undefined;
  try {
    args = parseCli(argv);
    // The language server owns stdout and handles its own end of the connection.
    if (args.command !== 'lsp') quietOnClosedPipes();
    switch (args.command) {
      case 'help':
        process.stdout.write(USAGE + '\n');
        return 0;
      case 'version':
        process.stdout.write(`${version()}\n`);
        return 0;
      case 'impact':
      case 'check': {
        const options = { cwd: process.cwd(), configPath: args.config, base: args.base, staged: args.staged, diskCache: !args.noCache };
        const report = args.command === 'check' ? await runCheck({ ...options, noData: args.noData, refresh: args.refresh, shard: args.shard }) : await runImpact(options);
        emit(report, args);
        return report.summary.errors > 0 ? 1 : 0;
      }
      case 'merge-reports': {
        const report = mergeReports(args.files.map((file) => ({ file, text: readReport(file) })));
        emit(report, args);
        return report.summary.errors > 0 ? 1 : 0;
      }
      case 'init': {
        const result = await runInit({ cwd: process.cwd(), force: args.force, dryRun: args.dryRun, snapshots: args.snapshots, bundleFile: realpathSync(process.argv[1]) });
        process.stdout.write(result.summary);
        if (result.written) process.stdout.write(`\nWrote ${result.configPath}: run \`featureguard check\` to use it.\n`);
        else process.stdout.write(`\n--dry-run: nothing written; ${result.configPath} would be:\n\n${result.text}`);
        return 0;
      }
      case 'install-hook': {
        const result = await installHook(await openRepo(process.cwd()), { force: args.force, node: process.execPath, cli: realpathSync(process.argv[1]) });
        process.stdout.write(`featureguard: ${result.message}\n`);
        return 0;
      }
      case 'lsp':
        // The server owns stdin/stdout from here on; it keeps the process alive.
        runLanguageServer();
        return undefined;
    }
  } catch (err) {
    if (err instanceof UserError) {
      process.stderr.write(`featureguard: ${err.message}\n`);
      if (args?.debug && err.stack) process.stderr.write(err.stack + '\n');
      return 2;
    }
    process.stderr.write(`featureguard: internal error: ${(err as Error)?.message ?? String(err)}\n`);
    if (args?.debug) process.stderr.write(`${(err as Error)?.stack}\n`);
    else process.stderr.write('featureguard: run again with --debug for the stack trace, and please report it\n');
    return 2;
  }
}

function emit(report: Report, args: CliArgs): void {
  for (const w of report.warnings ?? []) process.stderr.write(`featureguard: warning: ${w}\n`);
  const color = !args.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
  const text = render(report, args, color);
  if (args.output) writeFileSync(args.output, text);
  else process.stdout.write(text);
}

function render(report: Report, args: CliArgs, color: boolean): string {
  switch (args.format) {
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'sarif':
      return renderSarif(report, version());
    case 'junit':
      return renderJunit(report);
    case 'html':
      return renderHtml(report);
    default:
      return renderText(report, { color, mode: args.command === 'impact' ? 'impact' : 'check' });
  }
}

/** A report file of `merge-reports`; unreadable is a one-line error naming it. */
function readReport(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read it (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
}

function version(): string {
  return toolVersion();
}

/**
 * A reader that stops early (`featureguard impact | head -1`) closes the pipe: the rest of the
 * output has nowhere to go, which is no error of ours. Like other command-line tools, stop
 * writing and end quietly with the usual exit status, not with an unhandled `EPIPE` stack.
 */
function quietOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ERR_STREAM_DESTROYED') throw err;
      stream.destroy();
    });
  }
}

main(process.argv.slice(2)).then((code) => {
  if (code !== undefined) process.exitCode = code;
});
