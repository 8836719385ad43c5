/**
 * Loads the TypeScript compiler API lazily. It comes from ts-morph's bundled TypeScript 6 (npm's
 * `typescript` 7 is the native compiler without a JavaScript API). Loading it costs ~250 ms, so a
 * run whose summaries all come from the cache never loads it.
 */
import type { ts as TS } from 'ts-morph';

export type Ts = typeof TS;

let compiler: Ts | undefined;

/** The compiler API, loaded on first use. */
export function loadCompiler(): Ts {
  // The bundled copy is required directly: the ts-morph wrapper itself is not needed and would
  // double the load time.
  compiler ??= require('@ts-morph/common/dist/typescript.js') as Ts;
  return compiler;
}
