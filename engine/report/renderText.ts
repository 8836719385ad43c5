/**
 * The text report, for people: each affected feature with its verdict, the numbers that matter,
 * where it is and what to do; a summary line last. Colour only when asked (the CLI asks on a TTY
 * without NO_COLOR).
 */
import type { Finding } from '../findings';
import type { FeatureReport, Report } from './reportTypes';

export interface TextOptions {
  color: boolean;
  /** `impact` prints the path of symbols; `check` adds verdicts and numbers. */
  mode: 'impact' | 'check';
}

/** How many changed symbols the text report lists before summarizing the rest as a count. */
export const MAX_CHANGES_SHOWN = 50;

export function renderText(report: Report, options: TextOptions): string {
  const c = palette(options.color);
  const lines: string[] = [];
  const targetName = report.target === 'worktree' ? 'working tree' : report.target === 'staged' ? 'staged changes' : report.target;
  lines.push(c.bold(`FeatureGuard ${options.mode}: ${report.base} → ${targetName}`));
  if (report.changes.length === 0 && report.findings.length === 0 && report.features.length === 0) {
    lines.push('No feature code changed.');
    return lines.join('\n') + '\n';
  }
  if (report.changes.length > 0) {
    lines.push('', c.bold('Changed symbols'));
    // A generated file can add 100,000 declarations: people read the first ones and a count (the
    // JSON report keeps them all).
    const shown = Math.min(report.changes.length, MAX_CHANGES_SHOWN);
    for (let i = 0; i < shown; i++) {
      const ch = report.changes[i];
      const from = ch.from ? ` from ${ch.from}` : '';
      lines.push(`  ${ch.kind.padEnd(8)} ${ch.symbol}  ${c.dim(`${ch.file}:${ch.line}${from}`)}`);
    }
    if (report.changes.length > shown) lines.push(`  ${c.dim(`… and ${report.changes.length - shown} more (--format json lists them all)`)}`);
  }
  for (const f of report.findings) lines.push('', findingLine(f, c));
  lines.push('', c.bold(report.features.length ? 'Affected features' : 'No feature is affected.'));
  for (const f of report.features) lines.push(...featureLines(f, c, options.mode));
  if (report.models?.length) {
    lines.push('', c.bold('Models'));
    for (const m of report.models) lines.push(`  ${m.error ? c.red(m.summary) : m.summary}${m.features.length ? c.dim(`  reads ${m.features.join(', ')}`) : ''}`);
  }
  lines.push('', summaryLine(report, c));
  return lines.join('\n') + '\n';
}

function featureLines(f: FeatureReport, c: Palette, mode: 'impact' | 'check'): string[] {
  const out: string[] = [];
  const verdictColor = f.verdict === 'broken' ? c.red : f.verdict === 'changed' ? c.yellow : f.verdict === 'identical' ? c.green : c.dim;
  const where = f.location ? `${f.location.file}:${f.location.line}` : f.source;
  const verdict = mode === 'check' || f.verdict === 'broken' || f.verdict === 'new' ? `  ${verdictColor(f.verdict)}` : '';
  out.push(`  ${c.bold(f.name)}${verdict}  ${c.dim(where)}`);
  const via = f.via.map(shortSymbol);
  out.push(`    via: ${via.length ? [...via, shortSymbol(f.source)].join(' → ') : 'the feature function itself'}`);
  if (f.consumers.length) out.push(`    consumers: ${f.consumers.map((name) => (f.models?.includes(name) ? `${name} (model)` : name)).join(', ')}`);
  // TypeScript features are `row` unless configured; a Python feature's form is worth saying.
  if (f.kind && /\.pyi?#/.test(f.source)) out.push(`    kind: ${f.kind}`);
  if (f.change) out.push(`    change: ${f.change.kind} — ${f.change.recommendation}`);
  if (f.metrics && mode === 'check') {
    const m = f.metrics;
    const parts: string[] = [];
    if (m.mismatchRate != null) parts.push(`mismatch ${pct(m.mismatchRate)}`);
    if (m.psi != null) parts.push(`PSI ${m.psi.toFixed(3)}`);
    if (m.ks != null) parts.push(`KS ${m.ks.toFixed(3)}`);
    if (m.wasserstein != null) parts.push(`W1/σ ${m.wasserstein.toFixed(3)}`);
    if (m.nullRateAfter != null && m.nullRateBefore != null && m.nullRateAfter !== m.nullRateBefore) parts.push(`nulls ${pct(m.nullRateBefore)} → ${pct(m.nullRateAfter)}`);
    if (m.rows != null) parts.push(`${m.rows} rows`);
    if (parts.length) out.push(`    ${c.dim(parts.join(' · '))}`);
  }
  for (const finding of f.findings) out.push('    ' + findingLine(finding, c));
  return out;
}

function findingLine(f: Finding, c: Palette): string {
  const sev = f.severity === 'error' ? c.red('error') : f.severity === 'warning' ? c.yellow('warning') : c.dim('info');
  const loc = f.location ? c.dim(` ${f.location.file}:${f.location.line}:${f.location.column}`) : '';
  return `${sev} ${f.check}: ${f.message}${loc}`;
}

function summaryLine(r: Report, c: Palette): string {
  const s = r.summary;
  const parts = [`${s.featuresAffected} feature${s.featuresAffected === 1 ? '' : 's'} affected`];
  if (s.featuresChecked) parts.push(`${s.featuresChecked} checked on ${s.rowsSampled} sampled rows`);
  parts.push(`${s.errors} error${s.errors === 1 ? '' : 's'}`, `${s.warnings} warning${s.warnings === 1 ? '' : 's'}`);
  if (s.infos) parts.push(`${s.infos} info`);
  const text = `${parts.join(', ')} (${s.durationMs} ms)`;
  return s.errors ? c.red(text) : s.warnings ? c.yellow(text) : c.green(text);
}

function shortSymbol(id: string): string {
  const hash = id.lastIndexOf('#');
  const file = id.slice(0, hash);
  return `${id.slice(hash + 1)} (${file.slice(file.lastIndexOf('/') + 1)})`;
}

/** A rate for the text report and the model lines: 31%, 1.7%, 0.012%. */
export function pct(x: number): string {
  return x === 0 ? '0%' : x < 0.001 ? `${(x * 100).toFixed(3)}%` : x < 0.1 ? `${(x * 100).toFixed(1)}%` : `${Math.round(x * 100)}%`;
}

type Paint = (s: string) => string;
interface Palette { bold: Paint; dim: Paint; red: Paint; yellow: Paint; green: Paint }

function palette(on: boolean): Palette {
  const wrap = (open: number, close: number): Paint => (on ? (s) => `\x1b[${open}m${s}\x1b[${close}m` : (s) => s);
  return { bold: wrap(1, 22), dim: wrap(2, 22), red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39) };
}
