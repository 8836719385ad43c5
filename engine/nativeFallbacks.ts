/**
 * The slower fallbacks this process took, one line each, for the language server to say in the
 * output channel and the CLI on stderr: native runtimes replaced by their WebAssembly builds (esbuild-wasm for esbuild,
 * onnxruntime-web for onnxruntime-node: the universal VSIX carries no native binary), and a
 * snapshot whose declared order its data contradicts, so that its blocks were chosen from every
 * row (`data/keyedSample.ts`).
 */
const notes: string[] = [];

export function nativeFallbacks(): readonly string[] {
  return notes;
}

export function noteFallback(line: string): void {
  if (!notes.includes(line)) notes.push(line);
}
