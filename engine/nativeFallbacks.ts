/**
 * Native runtimes replaced by their WebAssembly builds in this process (esbuild-wasm for esbuild,
 * onnxruntime-web for onnxruntime-node: the universal VSIX carries no native binary), one line
 * each, for the language server to say in the output channel that this is the slower fallback.
 */
const notes: string[] = [];

export function nativeFallbacks(): readonly string[] {
  return notes;
}

export function noteFallback(line: string): void {
  if (!notes.includes(line)) notes.push(line);
}
