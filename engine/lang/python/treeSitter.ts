/**
 * Loads tree-sitter (web-tree-sitter, WebAssembly) and the Python grammar that the
 * `tree-sitter-python` package ships as `.wasm` — no native build, so the same code runs in the
 * CLI, the language server and the VS Code extension host. Loading costs tens of milliseconds, so
 * it happens once, on the first Python file that is not in the summary cache.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Parser as TsParser } from 'web-tree-sitter';
import { parserLoad } from '../../phaseClock';

let loading: Promise<TsParser> | undefined;
let ready: TsParser | undefined;

/** The shared parser, loading the runtime and grammar on first use. */
export function loadPythonParser(): Promise<TsParser> {
  loading ??= (async () => {
    const started = performance.now();
    // The require is indirect so that tests built with external packages and the bundles (which
    // carry web-tree-sitter inside) load the same module the same way.
    const { Parser, Language } = require('web-tree-sitter') as typeof import('web-tree-sitter');
    await Parser.init({ locateFile: () => wasmPath('web-tree-sitter.wasm', 'web-tree-sitter/web-tree-sitter.wasm') });
    const language = await Language.load(readFileSync(wasmPath('tree-sitter-python.wasm', 'tree-sitter-python/tree-sitter-python.wasm')));
    const parser = new Parser();
    parser.setLanguage(language);
    ready = parser;
    parserLoad.ms += performance.now() - started;
    return parser;
  })();
  return loading;
}

/** The parser once `loadPythonParser` has settled; summarizing before that is a programming error. */
export function pythonParser(): TsParser {
  if (!ready) throw new Error('the Python parser is used before loadPythonParser() has finished');
  return ready;
}

/**
 * Bundles find the wasm files copied beside them (dist/); from source (tests) they come from the
 * packages in node_modules.
 */
function wasmPath(name: string, packagePath: string): string {
  const beside = join(__dirname, name);
  if (existsSync(beside)) return beside;
  return require.resolve(packagePath);
}
