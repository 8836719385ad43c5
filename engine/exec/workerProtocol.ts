/**
 * Messages between the engine and the worker that runs one version of a feature's code. Rows
 * travel by column (numeric columns as Float64Array with a null mask) because structured-cloning
 * typed arrays is a copy, while cloning a hundred thousand row objects is not.
 */

/** One input column. Numeric columns use `numbers` + `nulls`; others use `values`. */
export interface WireColumn {
  name: string;
  numbers?: Float64Array;
  /** 1 where the row's value is null (numeric columns only). */
  nulls?: Uint8Array;
  values?: unknown[];
}

/** One feature to evaluate in a worker. */
export interface WorkerJob {
  /** `module.exports[exportKey]` of the bundle is the feature function. */
  exportKey: string;
  kind: 'row' | 'batch';
  output?: string;
  /** Extra single rows to evaluate after the sample (declared examples). */
  extraRows: Record<string, unknown>[];
  /** Rows re-run to detect non-determinism (the first N of the sample). */
  repeatRows: number;
}

/**
 * What a worker process receives: one bundle, one sample, and the features to run over it in
 * order. It answers with one `WorkerReply` per job, as each finishes.
 */
export interface WorkerBatch {
  /** A CommonJS bundle exporting every job's feature function. */
  code: string;
  /** Folder that bare `require`s resolve from (the repository root). */
  requireFrom: string;
  rowCount: number;
  columns: WireColumn[];
  jobs: WorkerJob[];
}

/** The outcome of job `index` of the batch. */
export interface WorkerReply {
  index: number;
  result: WorkerResult | WorkerFailure;
}

/** A per-row failure, with the row's index in the sample. */
export interface RowError {
  index: number;
  message: string;
}

export interface WorkerResult {
  ok: true;
  /** One value per sampled row (`undefined` where the row threw). */
  values: unknown[];
  extraValues: unknown[];
  errorCount: number;
  /** The first few row errors. */
  errors: RowError[];
  /** Rows whose value differed on the second run. */
  nondeterministic: number;
  /** Wall time of the main pass, in milliseconds. */
  runMs: number;
}

/** The code could not be loaded at all (it threw at import, or exports no function). */
export interface WorkerFailure {
  ok: false;
  message: string;
}
