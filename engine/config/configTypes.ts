/** The validated form of `featureguard.json` (SPEC §1), with defaults applied and paths resolved. */
import type { CheckId } from '../findings';

export interface SnapshotConfig {
  name: string;
  /** As written, relative to the config file: a file, a folder or glob of Parquet parts, or a URL. */
  path: string;
  /** Absolute path on disk (of the file, folder, or glob); the URL itself for `s3://` and `http(s)://`. */
  absPath: string;
  sampleRows: number;
  seed: number;
  sliceBy: string[];
  /**
   * Features that read other rows (SPEC §1): the order rows reach batch/vectorized functions in (a
   * stable sort of the sample, never of the file); absent or empty: file order.
   */
  orderBy?: string[];
  /** Sample whole entities of this column (every row of each), drawn with the seed up to `sampleRows`. */
  sampleBy?: string;
  /** Sample `blocks` runs of `rows` consecutive rows (in `orderBy` order); each run's first `warmupRows` are not compared. */
  sampleBlocks?: SampleBlocks;
}

export interface SampleBlocks {
  blocks: number;
  rows: number;
  warmupRows: number;
}

export interface FeatureExpectations {
  min?: number;
  max?: number;
  notNull?: boolean;
  values?: (string | number | boolean)[];
}

export interface FeatureExample {
  input: Record<string, unknown>;
  output: unknown;
}

/** How a feature function is called: TypeScript has `row` and `batch`; Python adds the rest (SPEC §9). */
export type FeatureKind = 'row' | 'batch' | 'series' | 'frame' | 'feast' | 'hamilton';

export const FEATURE_KINDS: readonly FeatureKind[] = ['row', 'batch', 'series', 'frame', 'feast', 'hamilton'];

/** A feature: a function whose values are materialized in a snapshot column. */
export interface FeatureConfig {
  name: string;
  /** `file#export` as written; `file` is relative to the repository root after loading. */
  source: string;
  file: string;
  exportName: string;
  snapshot?: string;
  column: string;
  /**
   * As configured, or detected from the function's syntax (Python). Undefined only for a Python
   * feature before its summary has been read (`resolveFeatureKinds`).
   */
  kind?: FeatureKind;
  /** Whether `kind` was written in the config (rather than defaulted or detected). */
  kindGiven?: boolean;
  output?: string;
  tolerance: { abs: number; rel: number };
  consumers: string[];
  expect?: FeatureExpectations;
  examples?: FeatureExample[];
  /** Where the feature was declared: the config, or an `@feature` tag in code. */
  origin: 'config' | 'jsdoc';
}

export interface PythonConfig {
  /** `python.interpreter` as written (relative paths are relative to the config), if given. */
  interpreter?: string;
  /** Import roots (sys.path entries) relative to the repository root, '' for the root itself; default the config's folder. */
  paths: string[];
}

/**
 * A model that reads features (SPEC §10): an ONNX file run on the snapshot's sampled rows. Linked
 * to a feature when the feature's `consumers` names it.
 */
export interface ModelConfig {
  name: string;
  /** As written, relative to the config file. */
  path: string;
  /** Absolute path on disk (its existence is checked when the model runs: a `model.input` finding). */
  absPath: string;
  snapshot?: string;
  /**
   * Model input name -> the feature or snapshot column it reads; a list binds one `[N, k]` input
   * with its columns in that order. Inputs not named here read the column of the same name.
   */
  inputs: Map<string, string | string[]>;
  /** Which model output; default: the probabilities of a classifier, else the first output. */
  output?: string;
  /** A snapshot column holding the true outcome. */
  label?: string;
}

export type ThresholdOverrides = Partial<Record<CheckId, { warning?: number; error?: number }>>;

export interface Config {
  /** Absolute path of the config file, or undefined when none exists (tags only). */
  configPath?: string;
  /** Directory paths in the config are relative to (absolute). */
  configDir: string;
  /** The config directory relative to the repository root ('' at the root). */
  configDirInRepo: string;
  snapshots: Map<string, SnapshotConfig>;
  features: Map<string, FeatureConfig>;
  defaultSnapshot?: string;
  thresholds: ThresholdOverrides;
  acknowledged: Map<string, string>;
  timeoutMs: number;
  /** The `models` block (SPEC §10), by name. */
  models: Map<string, ModelConfig>;
  /** The `python` block (SPEC §9). */
  python: PythonConfig;
  /** Problems that do not stop a run, such as unknown keys; one line each, with the key path. */
  warnings: string[];
}
