/**
 * Turns one folder's latest result into diagnostics per file (SPEC §7): findings on the feature
 * function at their severity, an information diagnostic on each edited symbol naming the features
 * it reaches and their consumers, and — in an untrusted workspace — why no data check ran.
 */
import type { Diagnostic } from 'vscode-languageserver';
import type { Report } from '../engine/report/reportTypes';
import { infoDiagnostic, toDiagnostic, toRange } from './toProto';

/** Reads line `line` (1-based) of a repository file, for identifier ranges; undefined when unknown. */
export type LineReader = (file: string, line: number) => string | undefined;

export interface DiagnosticsInput {
  report: Report;
  folderUri: string;
  /** Data checks could not run because the workspace is untrusted. */
  untrusted: boolean;
  /** Data checks are still to come (impact-only result). */
  pending: boolean;
  readLine: LineReader;
}

/** Diagnostics by repository-relative file. */
export function diagnosticsByFile(input: DiagnosticsInput): Map<string, Diagnostic[]> {
  const { report, folderUri, readLine } = input;
  const out = new Map<string, Diagnostic[]>();
  const add = (file: string, d: Diagnostic) => {
    let list = out.get(file);
    if (!list) out.set(file, (list = []));
    list.push(d);
  };

  for (const f of report.findings) {
    if (!f.location) continue;
    add(f.location.file, toDiagnostic(f, toRange(f.location, readLine(f.location.file, f.location.line)), { folderUri }));
  }

  for (const feature of report.features) {
    const loc = feature.location;
    if (!loc) continue;
    const range = toRange(loc, readLine(loc.file, loc.line));
    const data = { folderUri, feature: feature.name };
    for (const f of feature.findings) {
      const at = f.location ?? loc;
      add(at.file, toDiagnostic(f, at === loc ? range : toRange(at, readLine(at.file, at.line)), data));
    }
    if (feature.verdict === 'not-checked') {
      const why = input.untrusted
        ? 'not checked: this workspace is untrusted, so FeatureGuard runs no workspace code (static impact only)'
        : !feature.snapshot
          ? 'affected by this edit (no snapshot is configured for it: static impact only)'
          : input.pending
              ? 'affected by this edit: data checks pending'
              : 'not checked against data (data checks are off or manual)';
      add(loc.file, infoDiagnostic(input.untrusted ? 'workspace.untrusted' : 'impact', `${feature.name}: ${why}`, range, data));
    }
  }

  // The edited symbols, each with the features it reaches.
  for (const change of report.changes) {
    if (change.kind === 'removed') continue;
    const id = `${change.file}#${change.symbol}`;
    // A feature reached with an empty path is the edited declaration itself (same file and line).
    const reached = report.features.filter((f) => (f.via.length ? f.via[0] === id : f.location?.file === change.file && f.location.line === change.line));
    if (reached.length === 0) continue;
    const names = reached.map((f) => (f.consumers.length ? `${f.name} (read by ${f.consumers.join(', ')})` : f.name));
    const message = `Edit to ${change.symbol} reaches ${reached.length} feature${reached.length === 1 ? '' : 's'}: ${names.join('; ')}`;
    const line = readLine(change.file, change.line);
    const column = line ? Math.max(1, line.indexOf(change.symbol) + 1) : 1;
    add(change.file, infoDiagnostic('impact', message, toRange({ line: change.line, column }, line), { folderUri }));
  }
  return out;
}
