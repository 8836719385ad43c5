/**
 * Which esbuild bundles feature code: the native one (`esbuild` with this platform's
 * `@esbuild/<platform>-<arch>` binary) when it is installed, otherwise `esbuild-wasm` — the same
 * API and output, several times slower — as in the universal VSIX, which carries no native binary.
 * The choice is made once per process and noted (`nativeFallbacks.ts`).
 */
import type * as Esbuild from 'esbuild';
import { noteFallback } from '../nativeFallbacks';

type Api = typeof Esbuild;
let chosen: Api | undefined;
let native: boolean | undefined;
let version: string | undefined;

/** The esbuild to bundle with. */
export function esbuildApi(): Api {
  chosen ??= choose();
  return chosen;
}

/**
 * The version of the esbuild `esbuildApi()` gives, read from its package.json without loading the
 * API (~60 ms of a check's main thread): the bundle cache's keys need it on every run, the API only
 * a bundle not cached needs.
 */
export function esbuildVersion(): string {
  if (chosen) return chosen.version;
  if (version === undefined) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pkg = (nativeChosen() ? require('esbuild/package.json') : require('esbuild-wasm/package.json')) as { version?: unknown };
      version = typeof pkg.version === 'string' ? pkg.version : esbuildApi().version;
    } catch {
      version = esbuildApi().version;
    }
  }
  return version;
}

/** Whether the native esbuild is the one to use (decided once per process). */
function nativeChosen(): boolean {
  native ??= process.env.FEATUREGUARD_FORCE_WASM !== '1' && nativeBinaryInstalled(`${process.platform}-${process.arch}`);
  return native;
}

function choose(): Api {
  const platform = `${process.platform}-${process.arch}`;
  if (nativeChosen()) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as Api;
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = require('esbuild-wasm') as Api;
    noteFallback(`esbuild's native binary for ${platform} is not installed: bundling feature code with esbuild-wasm, the slower fallback`);
    return api;
  } catch {
    // Neither: the native package's own error will name what is missing (see bundleFeature.ts).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('esbuild') as Api;
  }
}

/** Whether esbuild's binary for this platform can be found (its package, or ESBUILD_BINARY_PATH). */
function nativeBinaryInstalled(platform: string): boolean {
  if (process.env.ESBUILD_BINARY_PATH) return true;
  try {
    require.resolve(`@esbuild/${platform}/package.json`);
    return true;
  } catch {
    return false;
  }
}
