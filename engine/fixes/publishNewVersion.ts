/**
 * The "publish as a new feature version" quick fix: the edited function is kept under a new name
 * and registered as `NAME_v2` (its own column, so history stays consistent), while the function
 * the stored column was computed with is restored under the original name. Both stay in the config.
 */
import type { FeatureConfig } from '../config/configTypes';
import { jsonEdits } from './acknowledgeFeature';
import type { TextEdit } from './textEdit';

export interface PublishInput {
  feature: FeatureConfig;
  /** Absolute path of the feature's file, and its current (edited) text. */
  file: string;
  targetText: string;
  /** The edited declaration: lines of the whole statement, and where its name is. */
  targetDecl: { startLine: number; endLine: number; line: number; column: number };
  /** The declaration's text at the base (what the stored values were computed with). */
  baseDeclText: string;
  configPath: string;
  configText: string;
  /** Feature names already in use, so the new one is unique. */
  takenNames: Set<string>;
}

export interface PublishResult {
  newFeature: string;
  newExport: string;
  edits: TextEdit[];
}

export function publishNewVersion(input: PublishInput): PublishResult {
  const { feature, targetDecl } = input;
  let n = 2;
  while (input.takenNames.has(`${feature.name}_v${n}`)) n++;
  const newFeature = `${feature.name}_v${n}`;
  // Each language's naming: `monthlySpendV2` in TypeScript, `monthly_spend_v2` in Python.
  const python = /\.pyi?$/.test(feature.file);
  const newExport = python ? `${feature.exportName}_v${n}` : `${feature.exportName}V${n}`;

  const lines = input.targetText.split('\n');
  const declLines = lines.slice(targetDecl.startLine - 1, targetDecl.endLine);
  const nameLine = targetDecl.line - targetDecl.startLine;
  const col = targetDecl.column - 1;
  const original = declLines[nameLine];
  declLines[nameLine] = original.slice(0, col) + original.slice(col).replace(feature.exportName, newExport);
  // PEP 8 puts two blank lines between top-level functions.
  const replacement = `${input.baseDeclText.replace(/\n+$/, '')}\n\n${python ? '\n' : ''}${declLines.join('\n')}`;
  const lastLine = lines[targetDecl.endLine - 1] ?? '';

  const sourceFile = feature.source.slice(0, feature.source.lastIndexOf('#'));
  const entry: Record<string, unknown> = {
    source: `${sourceFile}#${newExport}`,
    ...(feature.snapshot ? { snapshot: feature.snapshot } : {}),
    column: newFeature,
    // A detected Python form is detected again on the copy; a configured kind is carried over.
    ...(feature.kindGiven || (!python && feature.kind !== 'row') ? { kind: feature.kind } : {}),
    ...(feature.output ? { output: feature.output } : {}),
  };
  return {
    newFeature,
    newExport,
    edits: [
      { file: input.file, start: { line: targetDecl.startLine, column: 1 }, end: { line: targetDecl.endLine, column: lastLine.length + 1 }, newText: replacement },
      ...jsonEdits(input.configPath, input.configText, ['features', newFeature], entry),
    ],
  };
}
