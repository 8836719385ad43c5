/**
 * `check --shard I/N`: which affected features a shard checks. Every shard computes the same static
 * impact, then keeps its part of the affected features; the shard reports merge back into the
 * unsharded report (`merge-reports`, see `mergeReports.ts`).
 *
 * The partition is deterministic and the same on every machine:
 *  - features that feed one configured model (SPEC §10, by `consumers` or a bound input) form one
 *    unit, so a model always runs in one shard, with all its changed features, exactly as in the
 *    unsharded run (a feature read by two models joins both models' units);
 *  - units are taken by decreasing cost, then by their first feature's name, each given to the shard
 *    with the least cost so far (the lowest index on a tie). A feature's cost is what checking it
 *    last took when the results cache knows it (`engine/cache/featureCosts.ts`, which also keeps
 *    every shard of one run on the same costs), and 1 otherwise — so with no costs and no models
 *    this is round-robin over the features sorted by name.
 */
import type { Config } from '../config/configTypes';
import { modelsReached } from '../models/checkModels';
import type { Shard } from './parseShard';

export { MAX_SHARDS, parseShard, type Shard } from './parseShard';

/** What the partition needs of an affected feature. */
export interface ShardFeature {
  name: string;
  consumers: readonly string[];
}

/** The feature names (of `names`) that shard `shard` checks. */
export function shardFeatures(features: readonly ShardFeature[], shard: Shard, config: Pick<Config, 'models'>, cost: (name: string) => number = () => 1): Set<string> {
  const groups = partition(features, shard.total, config, cost);
  return new Set(groups[shard.index - 1]);
}

/** Splits the feature names into `total` groups (some possibly empty), as described above. */
export function partition(features: readonly ShardFeature[], total: number, config: Pick<Config, 'models'>, cost: (name: string) => number = () => 1): string[][] {
  const consumers = new Map(features.map((f) => [f.name, f.consumers]));
  const sorted = [...consumers.keys()].sort(byName);
  // Union-find over features that feed the same model.
  const parent = new Map(sorted.map((n) => [n, n]));
  const find = (n: string): string => {
    let r = n;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(n, r);
    return r;
  };
  // The features each model reads, by the rule the model check itself uses.
  for (const linked of modelsReached(config, sorted.map((name) => ({ feature: { name, consumers: consumers.get(name)! } }))).values()) {
    const reading = linked.map((l) => l.feature.name);
    for (const n of reading.slice(1)) {
      const a = find(reading[0]), b = find(n);
      if (a !== b) parent.set(byName(a, b) < 0 ? b : a, byName(a, b) < 0 ? a : b);
    }
  }
  const units = new Map<string, string[]>();
  for (const n of sorted) units.set(find(n), [...(units.get(find(n)) ?? []), n]);
  const weighed = [...units.values()].map((members) => ({ members, cost: members.reduce((s, n) => s + Math.max(0, cost(n) || 0), 0) }));
  weighed.sort((a, b) => b.cost - a.cost || byName(a.members[0], b.members[0]));
  const groups: string[][] = Array.from({ length: total }, () => []);
  const load = new Array<number>(total).fill(0);
  for (const u of weighed) {
    let best = 0;
    for (let i = 1; i < total; i++) if (load[i] < load[best]) best = i;
    groups[best].push(...u.members);
    load[best] += u.cost;
  }
  return groups.map((g) => g.sort(byName));
}

/** Code-unit order: the same on every machine and locale. */
function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
