/** The validated form of `featureguard.json` (SPEC §1), with defaults applied and paths resolved. */
import type { CheckId } from '../findings';

export interface SnapshotConfig {
  name: string;
  /** As written, relative to the config file. */
  path: string;
  /** Absolute path on disk. */
  absPath: string;
  sampleRows: number;
  seed: number;
  sliceBy: string[];
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

/** A feature: a function whose values are materialized in a snapshot column. */
export interface FeatureConfig {
  name: string;
  /** `file#export` as written; `file` is relative to the repository root after loading. */
  source: string;
  file: string;
  exportName: string;
  snapshot?: string;
  column: string;
  kind: 'row' | 'batch';
  output?: string;
  tolerance: { abs: number; rel: number };
  consumers: string[];
  expect?: FeatureExpectations;
  examples?: FeatureExample[];
  /** Where the feature was declared: the config, or an `@feature` tag in code. */
  origin: 'config' | 'jsdoc';
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
  /** Problems that do not stop a run, such as unknown keys; one line each, with the key path. */
  warnings: string[];
}
