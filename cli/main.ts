/**
 * The `featureguard` command. A thin front door: parse arguments, call the engine, print the
 * report, exit 0 (no error finding), 1 (an error finding) or 2 (could not run: one line on stderr
 * naming the file or key at fault; `--debug` adds the stack).
 */
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { UserError } from '../engine/errors';
import { nativeFallbacks } from '../engine/nativeFallbacks';
import type { Report } from '../engine/report/reportTypes';
import { parseCli, USAGE, type CliArgs } from './parseArgs';
import { toolVersion } from '../engine/version';

// Each command's code is loaded when that command runs: esbuild keeps the top-level code of a
// `require`d module (and of what only it imports) unevaluated until the call, so `impact` does not
// start the data readers, the language server's protocol library or the reporters it does not use.
const engine = {
  runImpact: () => (require('../engine/runImpact') as typeof import('../engine/runImpact')).runImpact,
  runCheck: () => (require('../engine/runCheck') as typeof import('../engine/runCheck')).runCheck,
  runInit: () => (require('../engine/init/runInit') as typeof import('../engine/init/runInit')).runInit,
  openRepo: () => (require('../engine/git/gitRepo') as typeof import('../engine/git/gitRepo')).openRepo,
  installHook: () => (require('../engine/hooks/installHook') as typeof import('../engine/hooks/installHook')).installHook,
  mergeReports: () => (require('../engine/report/mergeReports') as typeof import('../engine/report/mergeReports')).mergeReports,
  renderText: () => (require('../engine/report/renderText') as typeof import('../engine/report/renderText')).renderText,
  renderSarif: () => (require('../engine/report/renderSarif') as typeof import('../engine/report/renderSarif')).renderSarif,
  renderJunit: () => (require('../engine/report/renderJunit') as typeof import('../engine/report/renderJunit')).renderJunit,
  renderHtml: () => (require('../engine/report/renderHtml') as typeof import('../engine/report/renderHtml')).renderHtml,
  runLanguageServer: () => (require('../server/main') as typeof import('../server/main')).runLanguageServer,
};

async function main(argv: string[]): Promise<number | undefined> {
  const startedAt = Math.round(performance.now());
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
        const report = args.command === 'check' ? await engine.runCheck()({ ...options, noData: args.noData, refresh: args.refresh, shard: args.shard }) : await engine.runImpact()(options);
        // `start`: from the process's start to here (Node itself, loading this bundle).
        report.summary.timings = { start: startedAt, ...report.summary.timings };
        emit(report, args);
        return report.summary.errors > 0 ? 1 : 0;
      }
      case 'merge-reports': {
        const report = engine.mergeReports()(args.files.map((file) => ({ file, text: readReport(file) })));
        emit(report, args);
        return report.summary.errors > 0 ? 1 : 0;
      }
      case 'init': {
        const result = await engine.runInit()({ cwd: process.cwd(), force: args.force, dryRun: args.dryRun, snapshots: args.snapshots, bundleFile: realpathSync(process.argv[1]) });
        process.stdout.write(result.summary);
        if (result.written) process.stdout.write(`\nWrote ${result.configPath}: run \`featureguard check\` to use it.\n`);
        else process.stdout.write(`\n--dry-run: nothing written; ${result.configPath} would be:\n\n${result.text}`);
        return 0;
      }
      case 'install-hook': {
        const result = await engine.installHook()(await engine.openRepo()(process.cwd()), { force: args.force, node: process.execPath, cli: realpathSync(process.argv[1]) });
        process.stdout.write(`featureguard: ${result.message}\n`);
        return 0;
      }
      case 'lsp':
        // The server owns stdin/stdout from here on; it keeps the process alive.
        engine.runLanguageServer()();
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
  // The slower paths this run took (a WebAssembly runtime, a snapshot's declared order not trusted):
  // the language server says them in its output channel, the command line here.
  for (const line of nativeFallbacks()) process.stderr.write(`featureguard: note: ${line}\n`);
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
      return engine.renderSarif()(report, version());
    case 'junit':
      return engine.renderJunit()(report);
    case 'html':
      return engine.renderHtml()(report);
    default:
      return engine.renderText()(report, { color, mode: args.command === 'impact' ? 'impact' : 'check' });
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
  if (code === undefined) return; // the language server runs on
  process.exitCode = code;
  exitWhenWritten(code);
});

/**
 * Ends the process once everything written to stdout and stderr has reached the operating system
 * (the write callbacks; pipes are asynchronous on macOS and Windows). Everything else a command does
 * is finished by then (caches are written synchronously, workers ended), and leaving by
 * `process.exit` skips tearing the heap down page by page, which a natural exit does: measured
 * 20–30% of a small repository's `impact` under load.
 */
function exitWhenWritten(code: number): void {
  const flushed = (stream: NodeJS.WriteStream) =>
    new Promise<void>((resolve) => {
      if (stream.destroyed || !stream.writable) return resolve();
      stream.write('', () => resolve());
    });
  void Promise.all([flushed(process.stdout), flushed(process.stderr)]).then(() => process.exit(code));
}
