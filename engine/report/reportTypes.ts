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
  /** Stored, base and target distributions (data checks only). */
  histogram?: FeatureHistogram;
  /** Where the feature function is declared. */
  location?: { file: string; line: number; column: number };
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
  summary: {
    errors: number;
    warnings: number;
    infos: number;
    featuresAffected: number;
    featuresChecked: number;
    rowsSampled: number;
    durationMs: number;
    /** Wall time by phase (impact, read, bundle, execute, statistics), in milliseconds. */
    timings?: Record<string, number>;
    /** The interpreter that ran Python features, whenever Python ran (SPEC §9). */
    python?: { path: string; version: string };
  };
  /** Non-fatal problems (unknown config keys, …), one line each. */
  warnings?: string[];
}
