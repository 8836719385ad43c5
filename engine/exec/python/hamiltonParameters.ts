/**
 * SPEC §9: a Hamilton parameter is bound by name — to a snapshot column, else to the same-module
 * function of that name — and keeps its default when it names neither. A parameter with no
 * default that names neither cannot be bound: that is a config error naming the parameter, found
 * before any Python runs.
 */
import { basename, posix } from 'node:path';
import type { Config, FeatureConfig } from '../../config/configTypes';
import { UserError } from '../../errors';
import type { SymbolGraph } from '../../graph/symbolGraph';

/** Throws a one-line `UserError` for the first unbindable parameter of a Hamilton feature (and of the functions it calls through parameters). */
export async function checkHamiltonParameters(features: FeatureConfig[], config: Config, graph: SymbolGraph, fileColumns: (snapshot: string) => Promise<string[]>): Promise<void> {
  for (const f of features) {
    if (f.kind !== 'hamilton' || !f.snapshot) continue;
    const mod = graph.modules.get(f.file);
    if (!mod) continue;
    const columns = new Set(await fileColumns(f.snapshot));
    const functions = new Map(mod.decls.filter((d) => d.kind === 'function').map((d) => [d.name, d]));
    const seen = new Set<string>();
    const visit = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      const decl = functions.get(name);
      for (const p of decl?.requiredParams ?? []) {
        if (columns.has(p)) continue;
        if (functions.has(p)) {
          visit(p);
          continue;
        }
        const where = f.origin === 'config' ? `${config.configPath ? posix.join(config.configDirInRepo, basename(config.configPath)) : 'featureguard.json'}: features.${f.name}` : `${f.file}: @feature ${f.name}`;
        throw new UserError(`${where}: the Hamilton parameter "${p}" of ${name}(${(decl!.params ?? []).join(', ')}) in ${f.file} names no column of snapshot "${f.snapshot}" and no function of that module, and has no default`);
      }
    };
    visit(f.exportName);
  }
}
