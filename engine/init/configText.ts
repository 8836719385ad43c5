/**
 * `featureguard init`, step five: the starter config as text — `$schema`, `snapshots`,
 * `defaultSnapshot`, `python.paths` when the code needs import roots, and one line per feature
 * with only the keys that differ from the defaults (`snapshot`, `column`, `kind`, `output`).
 */
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

export interface StarterSnapshot {
  name: string;
  path: string;
  sampleRows: number;
  seed: number;
  /** For functions that read other rows: whole entities, in order (SPEC §1). */
  orderBy?: string[];
  sampleBy?: string;
}

export interface StarterFeature {
  name: string;
  source: string;
  snapshot?: string;
  column?: string;
  kind?: string;
  output?: string;
}

export interface StarterConfig {
  schema: string;
  snapshots: StarterSnapshot[];
  defaultSnapshot?: string;
  pythonPaths?: string[];
  features: StarterFeature[];
}

const SCHEMA_IN_PACKAGE = 'node_modules/featureguard/schemas/featureguard.schema.json';

/**
 * Where `$schema` points, relative to the config at the repository root: FeatureGuard installed in
 * the repository (`node_modules/featureguard`); else the schema of the FeatureGuard running now
 * when it lies inside the repository (a checkout of FeatureGuard itself, a vendored copy); else
 * the installed package's path, which is where `npm install -D featureguard` puts it (the VS Code
 * extension validates `featureguard.json` with its own copy either way).
 */
export function schemaReference(root: string, runningSchema: string | undefined): string {
  if (existsSync(join(root, SCHEMA_IN_PACKAGE))) return `./${SCHEMA_IN_PACKAGE}`;
  if (runningSchema && existsSync(runningSchema)) {
    const rel = relative(root, runningSchema).split('\\').join('/');
    if (!rel.startsWith('..') && !rel.startsWith('/')) return `./${rel}`;
  }
  return `./${SCHEMA_IN_PACKAGE}`;
}

/** The schema file of the running FeatureGuard: `schemas/` beside the folder of the bundle (dist/). */
export function runningSchemaPath(bundleFile: string | undefined): string | undefined {
  if (!bundleFile) return undefined;
  return join(dirname(dirname(bundleFile)), 'schemas', 'featureguard.schema.json');
}

export function configText(c: StarterConfig): string {
  const j = JSON.stringify;
  const lines: string[] = ['{', `  "$schema": ${j(c.schema)},`];
  lines.push('  "snapshots": {');
  const nameWidth = Math.max(0, ...c.snapshots.map((s) => j(s.name).length));
  c.snapshots.forEach((s, i) => {
    const key = `${j(s.name)}:`.padEnd(nameWidth + 2);
    const keyed = `${s.orderBy ? `, "orderBy": ${j(s.orderBy).replace(/,/g, ', ')}` : ''}${s.sampleBy ? `, "sampleBy": ${j(s.sampleBy)}` : ''}`;
    lines.push(`    ${key}{ "path": ${j(s.path)}, "sampleRows": ${s.sampleRows}, "seed": ${s.seed}${keyed} }${i < c.snapshots.length - 1 ? ',' : ''}`);
  });
  lines.push('  },');
  if (c.defaultSnapshot) lines.push(`  "defaultSnapshot": ${j(c.defaultSnapshot)},`);
  if (c.pythonPaths) lines.push(`  "python": { "paths": ${j(c.pythonPaths).replace(/,/g, ', ')} },`);
  if (c.features.length === 0) lines.push('  "features": {}');
  else {
    lines.push('  "features": {');
    const width = Math.max(...c.features.map((f) => j(f.name).length));
    c.features.forEach((f, i) => {
      const parts = [`"source": ${j(f.source)}`];
      if (f.snapshot) parts.push(`"snapshot": ${j(f.snapshot)}`);
      if (f.column) parts.push(`"column": ${j(f.column)}`);
      if (f.kind) parts.push(`"kind": ${j(f.kind)}`);
      if (f.output) parts.push(`"output": ${j(f.output)}`);
      const key = `${j(f.name)}:`.padEnd(width + 2);
      lines.push(`    ${key}{ ${parts.join(', ')} }${i < c.features.length - 1 ? ',' : ''}`);
    });
    lines.push('  }');
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
