// Types for scripts/onnxBuilder.mjs, so TypeScript tests can import the builder.

/** A tree node: a branch (`x[feature] <= threshold` goes left) or a leaf. */
export type Tree = { feature: number; threshold: number; left: Tree; right: Tree } | { value: number };

export function model(options: { nodes: unknown[]; inputs: unknown[]; outputs: unknown[]; initializers?: unknown[]; ml?: boolean; name?: string }): Uint8Array;

export function logisticRegression(options: {
  weights: number[];
  bias: number;
  input?: 'matrix' | 'columns';
  inputName?: string;
  columns?: string[];
  type?: 'float' | 'double';
  outputName?: string;
  extraInitializer?: number[] | { zeros: number };
}): Uint8Array;

export function linearRegression(options: { weights: number[]; bias: number; inputName?: string; type?: 'float' | 'double' }): Uint8Array;

export function treeClassifier(options: { trees: Tree[]; nFeatures: number; inputName?: string; zipmap?: boolean; baseValue?: number }): Uint8Array;

export function treeRegressor(options: { trees: Tree[]; nFeatures: number; inputName?: string; baseValue?: number }): Uint8Array;

export function categoryModel(options: {
  stringInput?: string;
  categories: Record<string, number>;
  numericInput?: string;
  numericWeight: number;
  bias?: number;
  defaultWeight?: number;
}): Uint8Array;

export function slowModel(options: { inputName?: string; width?: number; rounds?: number }): Uint8Array;

export function memoryHungryModel(options: { inputName?: string; width?: number; rounds?: number }): Uint8Array;

export function thresholdClassifier(options: { weight?: number; bias?: number; threshold: number; inputName?: string }): Uint8Array;
