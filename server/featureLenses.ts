/**
 * Code lens and hover over feature functions: the verdict and key numbers where the user reads
 * the code, and the full metrics table on hover; for a changed feature that models read (SPEC §10),
 * each model's one-line result in both.
 */
import type { CodeLens, Hover, Position } from 'vscode-languageserver';
import type { SessionResult } from '../engine/session/workspaceSession';
import type { FeatureReport, ModelReport, Report } from '../engine/report/reportTypes';
import { ClientCommands } from '../shared/protocol';
import { toRange } from './toProto';

/** Where each feature of `file` is declared in the target, with its report when affected. */
export function featuresInFile(result: SessionResult, file: string): { name: string; line: number; column: number; report?: FeatureReport }[] {
  const { impact, report } = result;
  const out: { name: string; line: number; column: number; report?: FeatureReport }[] = [];
  for (const feature of impact.allFeatures) {
    const id = impact.targetGraph.modules.has(feature.file) ? impact.targetGraph.resolveExport(feature.file, feature.exportName)[0] : undefined;
    const node = id ? impact.targetGraph.nodes.get(id) : undefined;
    if (!node || node.path !== file) continue;
    out.push({ name: feature.name, line: node.decl.line, column: node.decl.column, report: report.features.find((f) => f.name === feature.name) });
  }
  return out;
}

/** The models whose run used the feature's changed values (`report.models[].features`). */
export function modelsReading(report: Report, feature: string): ModelReport[] {
  return (report.models ?? []).filter((m) => m.features.includes(feature));
}

/** One lens per feature with its verdict, and one more per model that reads its changed values. */
export function codeLenses(result: SessionResult, file: string, folderUri: string): CodeLens[] {
  return featuresInFile(result, file).flatMap((f) => {
    const range = toRange(f, undefined);
    const open = (title: string): CodeLens => ({ range, command: { title, command: ClientCommands.showReport, arguments: [folderUri, f.name] } });
    const models = f.report ? modelsReading(result.report, f.name) : [];
    return [open(lensTitle(f.name, f.report)), ...models.map((m) => open(m.error ? `${m.summary} (model.input)` : m.summary))];
  });
}

function lensTitle(name: string, r: FeatureReport | undefined): string {
  if (!r) return `FeatureGuard: ${name} · unchanged by this edit`;
  const parts = [`FeatureGuard: ${name} · ${r.verdict}`];
  if (r.change) parts.push(r.change.kind);
  const m = r.metrics ?? {};
  if (m.mismatchRate != null) parts.push(`mismatch ${percent(m.mismatchRate)}`);
  if (m.psi != null) parts.push(`PSI ${m.psi.toFixed(2)}`);
  const errors = r.findings.filter((f) => f.severity === 'error').length;
  if (errors) parts.push(`${errors} error${errors === 1 ? '' : 's'}`);
  return parts.join(' · ');
}

/** Markdown for hovering a feature function's name. */
export function hoverAt(result: SessionResult, file: string, position: Position): Hover | undefined {
  const line = position.line + 1;
  const hit = featuresInFile(result, file).find((f) => f.line === line);
  if (!hit) return undefined;
  const r = hit.report;
  const md: string[] = [`**FeatureGuard · ${hit.name}**`, ''];
  if (!r) {
    md.push('Not affected by the current edit.');
  } else {
    md.push(`Verdict: **${r.verdict}**${r.change ? ` · ${r.change.kind}` : ''}`);
    if (r.change) md.push('', r.change.recommendation);
    if (r.via.length) md.push('', `Reached through: ${r.via.map((v) => '`' + v.slice(v.lastIndexOf('#') + 1) + '`').join(' → ')}`);
    if (r.consumers.length) md.push('', `Consumers: ${r.consumers.map((c) => (r.models?.includes(c) ? `${c} (model)` : c)).join(', ')}`);
    const models = modelsReading(result.report, hit.name);
    if (models.length) {
      md.push('', 'Models, on the same sampled rows with this edit:');
      for (const m of models) md.push(`- ${m.error ? `**error** \`model.input\`: ` : ''}${m.summary}`);
    }
    if (r.metrics) {
      md.push('', '| metric | value |', '| --- | --- |');
      for (const [k, v] of Object.entries(r.metrics)) if (v !== null && v !== undefined) md.push(`| ${k} | ${format(v)} |`);
    }
    if (r.findings.length) {
      md.push('');
      for (const f of r.findings) md.push(`- **${f.severity}** \`${f.check}\`: ${f.message}`);
    }
  }
  return { contents: { kind: 'markdown', value: md.join('\n') }, range: toRange(hit, undefined) };
}

function percent(x: number): string {
  return x === 0 ? '0%' : x < 0.01 ? `${(x * 100).toFixed(2)}%` : `${Math.round(x * 100)}%`;
}

function format(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}
