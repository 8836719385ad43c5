/**
 * Bundles one version of a feature's code with esbuild, entirely in memory: sources come from a
 * `SourceTree` (git objects, the index, the working tree or editor buffers), never from writing
 * files. Package imports stay external and are required from the repository at run time.
 */
import type * as esbuild from 'esbuild';
import { esbuildApi, esbuildVersion } from './esbuildRuntime';
import { BundleCache } from '../cache/bundleCache';
import type { LanguageFrontEnd } from '../lang/frontEnd';
import type { SourceTree } from '../sources/sourceTree';

export type BundleResult = { ok: true; code: string } | { ok: false; message: string };

const ENTRY = '<featureguard-entry>';

/** The export key under which `bundleFeature` puts a single feature. */
export const FEATURE_EXPORT = '__feature';

/**
 * A CommonJS bundle whose `module.exports.__feature` is `file#exportName` on the given side.
 * `prefetch` names the files the bundle is expected to need (the feature's dependency closure).
 */
export function bundleFeature(tree: SourceTree, frontEnd: LanguageFrontEnd, file: string, exportName: string, prefetch: string[] = [], cache?: BundleCache): Promise<BundleResult> {
  return bundleFeatures(tree, frontEnd, [{ file, exportName, key: FEATURE_EXPORT }], prefetch, cache);
}

/**
 * One CommonJS bundle for several features of one side, each under its own export `key`: the
 * features of a workspace share most of their modules, and one build of them all is far cheaper
 * than one per feature.
 */
export async function bundleFeatures(tree: SourceTree, frontEnd: LanguageFrontEnd, features: { file: string; exportName: string; key: string }[], prefetch: string[] = [], cache?: BundleCache): Promise<BundleResult> {
  // An export name that is not an identifier (ES2022 allows any string) is written as a string.
  const quote = (name: string) => (/^[\w$]+$/.test(name) ? name : JSON.stringify(name));
  const entry = features.map((f) => `export { ${quote(f.exportName)} as ${f.key} } from ${JSON.stringify('./' + f.file)};\n`).join('');
  // The closure decides the bundle: the same files with the same contents give the same code.
  const key = cache && prefetch.length ? BundleCache.key([esbuildVersion(), entry, [...prefetch].sort().map((p) => [p, tree.hash(p) ?? null])]) : undefined;
  const cached = key && cache!.get(key);
  if (cached) return { ok: true, code: cached };
  // esbuild asks for files one at a time; reading the known closure first costs one git process
  // instead of one per file.
  if (prefetch.length) await tree.readMany(prefetch);
  const input: BundleInput = { entry, tree, frontEnd };
  try {
    // A session rebuilds in a context kept per side (only changed files are parsed again); a
    // single run builds once. Both read the same input through the same plugin: the same code.
    const result = await (cache?.incremental
      ? cache.incremental.build(tree.label, input, buildOptions)
      : esbuildApi().build(buildOptions(() => input)));
    const code = result.outputFiles![0].text;
    if (key) cache!.set(key, code);
    return { ok: true, code };
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    const first = failure.errors?.[0];
    if (!first) return { ok: false, message: missingBinary(err) ?? String((err as Error).message ?? err) };
    const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.column + 1}: ` : '';
    return { ok: false, message: `${where}${first.text}` };
  }
}

/**
 * One line naming the platform when esbuild's native binary is not installed (a package built for
 * another platform); esbuild's own message is a page long.
 */
function missingBinary(err: unknown): string | undefined {
  const text = String((err as Error)?.message ?? err);
  if (!/could not be found, and is needed by esbuild|esbuild for another platform|The esbuild binary/i.test(text)) return undefined;
  return `esbuild's binary for ${process.platform}-${process.arch} is missing from this installation: install the FeatureGuard package built for ${process.platform}-${process.arch}`;
}

/** What a build reads: the entry's text, and the side's files with the front end that resolves their imports. */
export interface BundleInput {
  entry: string;
  tree: SourceTree;
  frontEnd: LanguageFrontEnd;
}

/** The build of the entry `input()` gives, its files from `input().tree`. */
function buildOptions(input: () => BundleInput): esbuild.BuildOptions {
  return {
    entryPoints: [ENTRY],
    bundle: true,
    write: false,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
    sourcemap: false,
    plugins: [sourceTreePlugin(input)],
  };
}

/** Resolves relative imports against the tree and loads contents from it. */
function sourceTreePlugin(input: () => BundleInput): esbuild.Plugin {
  return {
    name: 'featureguard-source-tree',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point') return { path: ENTRY, namespace: 'featureguard-entry' };
        const { tree, frontEnd } = input();
        // The entry sits at the repository root; everything else was loaded from the tree.
        const from = args.namespace === 'featureguard' ? args.importer : 'entry.ts';
        if (!args.path.startsWith('.') && !args.path.startsWith('/')) return { path: args.path, external: true };
        const resolved = frontEnd.resolveImport(from, args.path, (p) => tree.has(p));
        if (!resolved) return { errors: [{ text: `cannot resolve "${args.path}" from ${from === 'entry.ts' ? 'the feature source' : from}` }] };
        return { path: resolved, namespace: 'featureguard' };
      });
      build.onLoad({ filter: /.*/, namespace: 'featureguard-entry' }, () => ({ contents: input().entry, loader: 'ts', resolveDir: '/' }));
      build.onLoad({ filter: /.*/, namespace: 'featureguard' }, async (args) => {
        const text = (await input().tree.readMany([args.path])).get(args.path);
        if (text === undefined) return { errors: [{ text: `${args.path} is missing` }] };
        return { contents: text, loader: loaderFor(args.path), resolveDir: '/' };
      });
    },
  };
}

function loaderFor(path: string): esbuild.Loader {
  if (path.endsWith('.tsx')) return 'tsx';
  if (path.endsWith('.jsx')) return 'jsx';
  if (/\.[cm]?ts$/.test(path)) return 'ts';
  return 'js';
}
