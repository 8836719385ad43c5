/**
 * Quick fixes on a feature's diagnostics (SPEC §7): publish the edit as a new feature version
 * (keeping the stored feature as it was), acknowledge the change in the config, open the report;
 * on `history.unreproduced`, the snapshot's `sampleBy`/`orderBy` from the code's groupings and sorts.
 * The edits are computed by the engine (`engine/fixes/`); this file only converts them.
 */
import { CodeActionKind, type CodeAction, type Diagnostic, type WorkspaceEdit } from 'vscode-languageserver';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { acknowledgeFeature } from '../engine/fixes/acknowledgeFeature';
import { proposeSampling, samplingEdits } from '../engine/fixes/proposeSampling';
import { publishNewVersion } from '../engine/fixes/publishNewVersion';
import type { TextEdit } from '../engine/fixes/textEdit';
import { ClientCommands } from '../shared/protocol';
import type { FolderState } from './folderState';
import { pathToUri, SOURCE, type DiagnosticData } from './toProto';

/** Reads a document's current text: the open buffer when there is one, else the file. */
export type TextReader = (absPath: string) => string | undefined;

export async function codeActionsFor(folder: FolderState, diagnostics: Diagnostic[], readText: TextReader): Promise<CodeAction[]> {
  const actions: CodeAction[] = [];
  const seen = new Set<string>();
  for (const d of diagnostics) {
    const data = d.data as DiagnosticData | undefined;
    if (d.source !== SOURCE || !data?.feature) continue;
    // The sampling fix belongs to its own diagnostic, whatever else the feature shows.
    if (d.code === 'history.unreproduced') {
      const sampling = await samplingAction(folder, data.feature, readText, d);
      if (sampling) actions.push(sampling);
    }
    if (seen.has(data.feature)) continue;
    seen.add(data.feature);
    const name = data.feature;
    const publish = await publishAction(folder, name, readText, d);
    if (publish) actions.push(publish);
    const ack = acknowledgeAction(folder, name, readText, d);
    if (ack) actions.push(ack);
    actions.push({ title: `Open the FeatureGuard report for ${name}`, kind: CodeActionKind.QuickFix, diagnostics: [d], command: { title: 'Open report', command: ClientCommands.showReport, arguments: [folder.uri, name] } });
  }
  return actions;
}

async function publishAction(folder: FolderState, name: string, readText: TextReader, d: Diagnostic): Promise<CodeAction | undefined> {
  const result = folder.latest;
  const configPath = folder.session.config.configPath;
  const affected = result?.impact.features.find((f) => f.feature.name === name);
  if (!result || !configPath || !affected?.baseSymbol || !affected.targetSymbol || affected.feature.origin !== 'config') return undefined;
  const baseNode = result.impact.baseGraph.nodes.get(affected.baseSymbol);
  const targetNode = result.impact.targetGraph.nodes.get(affected.targetSymbol);
  if (!baseNode || !targetNode || targetNode.path !== affected.feature.file) return undefined;
  if (!['function', 'variable'].includes(targetNode.decl.kind)) return undefined;
  const file = join(folder.session.root, targetNode.path);
  const targetText = readText(file);
  const baseText = await folder.session.readFile('base', baseNode.path);
  const configText = readText(configPath);
  if (targetText === undefined || baseText === undefined || configText === undefined) return undefined;
  const baseDeclText = baseText.split('\n').slice(baseNode.decl.startLine - 1, baseNode.decl.endLine).join('\n');
  const fix = publishNewVersion({
    feature: affected.feature,
    file,
    targetText,
    targetDecl: targetNode.decl,
    baseDeclText,
    configPath,
    configText,
    takenNames: new Set(result.impact.allFeatures.map((f) => f.name)),
  });
  return {
    title: `Keep ${name} as it was and publish the edit as ${fix.newFeature}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [d],
    isPreferred: true,
    edit: toWorkspaceEdit(fix.edits),
  };
}

/** `history.unreproduced`: set on the feature's snapshot the sampleBy/orderBy its code's groupings and sorts call for. */
async function samplingAction(folder: FolderState, name: string, readText: TextReader, d: Diagnostic): Promise<CodeAction | undefined> {
  const config = folder.session.config;
  const feature = folder.latest?.impact.features.find((f) => f.feature.name === name)?.feature ?? config.features.get(name);
  const configPath = config.configPath;
  if (!feature?.snapshot || !configPath || !config.snapshots.has(feature.snapshot)) return undefined;
  const code = readText(join(folder.session.root, feature.file));
  const configText = readText(configPath);
  const columns = await folder.session.snapshotColumns(feature.snapshot);
  if (code === undefined || configText === undefined || !columns) return undefined;
  const proposal = proposeSampling(code, columns);
  if (!proposal) return undefined;
  const edits = samplingEdits(configPath, configText, feature.snapshot, proposal);
  if (edits.length === 0) return undefined;
  const what = proposal.sampleBy ? `sample whole ${proposal.sampleBy} entities, ordered by ${proposal.orderBy.join(', ')}` : `order rows by ${proposal.orderBy.join(', ')}`;
  return { title: `Keep ${name}'s neighbours: ${what} (snapshot ${feature.snapshot})`, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true, edit: toWorkspaceEdit(edits) };
}

function acknowledgeAction(folder: FolderState, name: string, readText: TextReader, d: Diagnostic): CodeAction | undefined {
  const configPath = folder.session.config.configPath;
  if (!configPath || folder.session.config.acknowledged.has(name)) return undefined;
  const text = readText(configPath);
  if (text === undefined) return undefined;
  return {
    title: `Acknowledge the change to ${name} in ${configPath.slice(configPath.lastIndexOf('/') + 1)}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [d],
    edit: toWorkspaceEdit(acknowledgeFeature(configPath, text, name)),
  };
}

/** Engine edits (1-based) → an LSP workspace edit. */
export function toWorkspaceEdit(edits: TextEdit[]): WorkspaceEdit {
  const changes: WorkspaceEdit['changes'] = {};
  for (const e of edits) {
    const uri = pathToUri(e.file);
    (changes[uri] ??= []).push({
      range: { start: { line: e.start.line - 1, character: e.start.column - 1 }, end: { line: e.end.line - 1, character: e.end.column - 1 } },
      newText: e.newText,
    });
  }
  return { changes };
}

/** Reads a file from disk, or undefined. */
export function readDisk(absPath: string): string | undefined {
  try {
    return readFileSync(absPath, 'utf8');
  } catch {
    return undefined;
  }
}
