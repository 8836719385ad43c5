/** Messages between the engine and the model worker (`modelWorker.ts`), over Node's IPC channel. */

/** A tensor as it crosses the channel (structured clone keeps typed arrays). */
export interface WireTensor {
  name: string;
  /** ONNX Runtime's type name: `float32`, `float64`, `int64`, `int32`, `string`, `bool`. */
  type: string;
  dims: number[];
  data: Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array | string[];
}

export interface ModelInputInfo {
  name: string;
  type: string;
  /** Dimensions; strings are symbolic (the batch), numbers fixed. */
  shape: (number | string)[];
}

export interface ModelOutputInfo {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: (number | string)[];
  /** The operator that makes it (`Sigmoid`, `TreeEnsembleClassifier`, …). */
  producer: string;
  /** Whether it holds a classifier's probabilities. */
  probabilities: boolean;
  /** The ZipMap output this tensor stands for (the ZipMap was cut off so the runtime can return it). */
  zipmapOf?: string;
}

export interface ModelInfo {
  inputs: ModelInputInfo[];
  outputs: ModelOutputInfo[];
  /** A classifier's class labels, in the order of its probability columns. */
  classLabels?: (string | number)[];
}

export type WorkerRequest =
  | { id: number; op: 'load'; key: string; path: string }
  | { id: number; op: 'run'; key: string; feedSets: WireTensor[][]; fetch: string[] };

export type WorkerReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; message: string };
