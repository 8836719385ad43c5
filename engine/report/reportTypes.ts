/** The JSON report of SPEC §6: the one shape every output format (text, JSON, SARIF, …) is made from. */
import type { Finding } from '../findings';

export type Verdict = 'identical' | 'changed' | 'broken' | 'new' | 'not-checked';

export type ChangeKind = 'affine' | 'monotonic' | 'null-handling' | 'category-remap' | 'type-change' | 'subset' | 'other';

export interface ChangeClassification {
  kind: ChangeKind;
  recommendation: string;
  rate?: number;
  slope?: number;
  intercept?: number;
  r2?: number;
  mapping?: Record<string, string>;
}

/**
 * Value distributions on one axis: equal-width bins (`edges`, one more than each count list) for
 * numbers, the most frequent labels for categories. Absent sides are omitted.
 */
export type FeatureHistogram =
  | { kind: 'numeric'; edges: number[]; stored?: number[]; base?: number[]; target: number[] }
  | { kind: 'categorical'; labels: string[]; stored?: number[]; base?: number[]; target: number[] };

export interface FeatureReport {
  name: string;
  source: string;
  snapshot?: string;
  /** How the function is called (`row`, `batch`, and Python's `series`, `frame`, `feast`, `hamilton`). */
  kind?: string;
  via: string[];
  verdict: Verdict;
  change?: ChangeClassification;
  metrics?: Record<string, number | null>;
  findings: Finding[];
  /** Models and services that read the feature (from the config). */
  consumers: string[];
  /** The consumers that are models of the config's `models` (SPEC §10); the others are only names. */
  models?: string[];
  /** Stored, base and target distributions (data checks only). */
  histogram?: FeatureHistogram;
  /** Where the feature function is declared. */
  location?: { file: string; line: number; column: number };
}

/**
 * What an edit does to one model's predictions on the sampled rows (SPEC §10): the model ran with
 * every input as stored and with the changed features' target values.
 */
export interface ModelReport {
  name: string;
  /** The model file, relative to the repository root. */
  path: string;
  /** The changed features whose target values replaced their stored column. */
  features: string[];
  rows: number;
  task?: 'classifier' | 'regressor';
  /** The output read (a ZipMap's name when its probabilities tensor was read under it). */
  output?: string;
  /**
   * Share of rows whose predicted class changes (classifiers, from the probabilities), or whose
   * prediction moves by more than 10% of its std on the stored run (regressors).
   */
  flipRate?: number;
  /** Mean and largest absolute change of the score (a classifier's probability). */
  meanAbsDelta?: number;
  maxAbsDelta?: number;
  /** With a `label` column: the main metric (AUC for two classes, accuracy for more, RMSE) … */
  metric?: { name: 'auc' | 'accuracy' | 'rmse'; before: number; after: number; rows: number };
  /** … and every metric computed. */
  metrics?: { name: 'auc' | 'accuracy' | 'rmse'; before: number; after: number; rows: number }[];
  /** Stored rows where the classifier's own label output disagrees with its probabilities. */
  labelDisagreements?: number;
  /** Score distributions of both runs on shared bins (`before`: as stored; `after`: with the edit). */
  histogram?: { edges: number[]; before: number[]; after: number[] };
  /** Why the model could not run (a `model.input` finding). */
  error?: string;
  /** The one line the text report, hover and code lens show. */
  summary: string;
}

export interface ReportChange {
  file: string;
  symbol: string;
  line: number;
  kind: 'modified' | 'added' | 'removed' | 'moved';
  from?: string;
}

export interface Report {
  version: 1;
  base: string;
  target: string;
  changes: ReportChange[];
  features: FeatureReport[];
  findings: Finding[];
  /** One entry per model that reads a changed feature (SPEC §10); absent when none does. */
  models?: ModelReport[];
  summary: {
    /** The FeatureGuard version that made the report (`featureguard --version`). */
    version?: string;
    errors: number;
    warnings: number;
    infos: number;
    featuresAffected: number;
    featuresChecked: number;
    rowsSampled: number;
    durationMs: number;
    /** Wall time by phase (impact, read, bundle, execute, statistics), in milliseconds. */
    timings?: Record<string, number>;
    /**
     * The results cache of one side's values (`.git/featureguard/results/`): sides found there and
     * not run, and sides that ran (misses); absent with `--no-cache` or when nothing was checked.
     */
    cache?: { baseHits: number; targetHits: number; misses: number };
    /** The interpreter that ran Python features, whenever Python ran (SPEC §9). */
    python?: { path: string; version: string };
  };
  /** Non-fatal problems (unknown config keys, …), one line each. */
  warnings?: string[];
  /** Set by `check --shard I/N` only: what `merge-reports` needs to rebuild the unsharded report. */
  shard?: ShardInfo;
}

/** The shard a report covers, and what the whole run looked like (the same in every shard). */
export interface ShardInfo {
  /** 1-based. */
  index: number;
  total: number;
  /** Every affected feature of the run, in the unsharded report's order, whichever shard checks it. */
  features: string[];
  /** Every configured model, in the order the unsharded report lists them. */
  models: string[];
  /**
   * What the partition weighed features by: `count`, or `measured:<hash>` of the last measured costs
   * it used (engine/cache/featureCosts.ts). Every shard of one run has the same.
   */
  costBasis: string;
  /** Rows this shard sampled, by snapshot name (shards sharing a snapshot sample the same rows). */
  rowsBySnapshot: Record<string, number>;
}
