/**
 * Loads the TypeScript compiler API lazily. It comes from ts-morph's bundled TypeScript 6 (npm's
 * `typescript` 7 is the native compiler without a JavaScript API). Bundles load the parser-only
 * copy `scripts/parserOnlyCompiler.mjs` writes beside them (0.39 MB): ~20 ms from source, ~8 ms
 * through V8's code cache (`codeCache.ts`: the read ~1, the cache ~2, the module's top level
 * ~4 ms); tests load ts-morph's whole copy. A run whose summaries all come from the cache never
 * loads it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ts as TS } from 'ts-morph';
import { requireWithCodeCache } from '../../codeCache';
import { parserLoad } from '../../phaseClock';
import type { ParserApiName } from './parserApi';

/**
 * What the engine may use of the compiler: the names of `PARSER_API`, all the bundles' copy
 * exports. `getTokenPosOfNode` is internal to the compiler (it is what a language-service node's
 * `getStart()` calls); the parser-only copy has no language service, so nodes have no methods.
 */
export type Ts = Pick<typeof TS, Exclude<ParserApiName, 'getTokenPosOfNode'>> & {
  getTokenPosOfNode(node: TS.Node, sourceFile?: TS.SourceFileLike): number;
};

let compiler: Ts | undefined;

/** The compiler API, loaded on first use. */
export function loadCompiler(): Ts {
  // Bundles find the compiler copied beside them (dist/typescript.js); from source (tests) it is
  // ts-morph's own copy. The wrapper API of ts-morph is not needed and would double the load time.
  // The resolution is indirect so that esbuild leaves the compiler out of the bundles.
  if (compiler) return compiler;
  const started = performance.now();
  const beside = join(__dirname, 'typescript.js');
  const resolver = require;
  compiler = requireWithCodeCache(existsSync(beside) ? beside : resolver.resolve('@ts-morph/common/dist/typescript.js')) as Ts;
  parserLoad.ms += performance.now() - started;
  return compiler;
}
