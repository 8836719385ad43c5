/**
 * `featureguard check`: static impact, then for every affected feature the base and target code
 * run on rows sampled from its snapshot, compared with the stored values (SPEC §4). Snapshots are
 * read once per run; base and target of a feature run side by side in two workers.
 */
import { thresholdsFrom } from './checks/thresholds';
import type { AffectedFeature } from './analysis/impact';
import { UserError, neverCancelled, throwIfCancelled, type CancellationToken } from './errors';
import { readSnapshot } from './data/readSnapshot';
import type { SnapshotTable } from './data/table';
import { wireColumns } from './data/wireColumns';
import { runFeatureSide, type SampleInput } from './exec/featureRunner';
import { DEFAULT_MEMORY_MB } from './exec/runInWorker';
import type { FeatureReport, Report } from './report/reportTypes';
import { buildReport, featureReport, impactOf } from './runImpact';
import { checkFeature } from './verdict/checkFeature';
import { openWorkspace, type RunOptions, type Workspace } from './workspace';

export interface CheckOptions extends RunOptions {
  /** `--no-data`: static impact only. */
  noData?: boolean;
  /** False in an untrusted workspace: no workspace code runs. */
  execute?: boolean;
  memoryMb?: number;
}

export async function runCheck(options: CheckOptions, token: CancellationToken = neverCancelled): Promise<Report> {
  const started = performance.now();
  const ws = await openWorkspace(options);
  const impact = await impactOf(ws, token);
  const snapshots = new SnapshotLoader(ws);
  const features: FeatureReport[] = [];
  let checked = 0;
  for (const affected of impact.features) {
    throwIfCancelled(token);
    const report = featureReport(affected, impact, 'not-checked');
    const runnable = report.verdict !== 'broken' && affected.feature.snapshot && !options.noData && options.execute !== false;
    if (runnable) {
      Object.assign(report, await dataCheck(ws, affected, snapshots, options));
      checked++;
    }
    features.push(report);
  }
  return buildReport(ws, impact, features, { rowsSampled: snapshots.rowsSampled(), featuresChecked: checked }, started);
}

async function dataCheck(ws: Workspace, affected: AffectedFeature, snapshots: SnapshotLoader, options: CheckOptions): Promise<Partial<FeatureReport>> {
  const feature = affected.feature;
  const { table, sample } = await snapshots.load(feature.snapshot!);
  const limits = { timeoutMs: ws.config.timeoutMs, memoryMb: options.memoryMb ?? DEFAULT_MEMORY_MB };
  const [base, target] = await Promise.all([
    affected.baseSymbol
      ? runFeatureSide(ws.sides.base, ws.frontEnd, feature, feature.file, sample, ws.repo.root, limits)
      : Promise.resolve(undefined),
    runFeatureSide(ws.sides.target, ws.frontEnd, feature, feature.file, sample, ws.repo.root, limits),
  ]);
  const snapshot = ws.config.snapshots.get(feature.snapshot!)!;
  return checkFeature({
    feature,
    location: affected.location,
    table,
    sliceBy: snapshot.sliceBy,
    base,
    target,
    thresholds: thresholdsFrom(ws.config.thresholds),
    acknowledged: ws.config.acknowledged.get(feature.name),
  });
}

/** Reads each snapshot once per run, and only when a feature needs it. */
class SnapshotLoader {
  private readonly loaded = new Map<string, Promise<{ table: SnapshotTable; sample: SampleInput }>>();

  constructor(private readonly ws: Workspace) {}

  load(name: string): Promise<{ table: SnapshotTable; sample: SampleInput }> {
    let p = this.loaded.get(name);
    if (!p) {
      const s = this.ws.config.snapshots.get(name);
      if (!s) throw new UserError(`unknown snapshot "${name}"`);
      const display = `${this.ws.config.configDirInRepo ? this.ws.config.configDirInRepo + '/' : ''}${s.path}`;
      p = readSnapshot(s.absPath, { sampleRows: s.sampleRows, seed: s.seed }, display).then((table) => {
        this.sampled += table.rows.length;
        return { table, sample: { rowCount: table.rows.length, columns: wireColumns(table) } };
      });
      this.loaded.set(name, p);
    }
    return p;
  }

  /** Rows sampled across the snapshots read in this run. */
  rowsSampled(): number {
    return this.sampled;
  }

  private sampled = 0;
}
