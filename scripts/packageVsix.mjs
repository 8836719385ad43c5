#!/usr/bin/env node
/**
 * Packages the VS Code extension, after `node esbuild.mjs --production`:
 *
 *   node scripts/packageVsix.mjs                 featureguard.vsix for this machine's platform
 *                                                (`npm run package`)
 *   node scripts/packageVsix.mjs --all           featureguard-<target>.vsix for every target of
 *                                                TARGETS and the universal one, into vsix/
 *                                                (`npm run package:all`)
 *   node scripts/packageVsix.mjs --target T …    the named targets, into vsix/
 *
 * Each VSIX carries the native pieces of its own platform only: esbuild's binary
 * (`@esbuild/<target>`: this machine's from node_modules, the others fetched once with `npm pack`
 * into .cache/natives/ — npm's cache or registry) and ONNX Runtime's binding for the target
 * (onnxruntime-node ships every platform's; none exists for darwin-x64, where models are then not
 * checked and the extension says so). The universal VSIX carries no native binary but esbuild-wasm
 * and onnxruntime-web, which the engine falls back to (esbuildRuntime.ts, modelHost.ts) and the
 * server names in the output channel as the slower fallback. The npm package and the VSIX carry different files — the npm
 * package lists its own in package.json's `files` — and vsce refuses a `files` list beside a
 * `.vscodeignore`, so each VSIX is made from a staging folder holding exactly its files and a
 * manifest without `files`, `scripts` or dependencies.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
/** Any other platform: no native binary, esbuild-wasm and onnxruntime-web instead (slower; the server says so). */
export const UNIVERSAL = 'universal';
/** The WebAssembly builds the universal VSIX carries, from node_modules. */
const WASM_FILES = [
  'esbuild-wasm/package.json',
  'esbuild-wasm/lib/main.js',
  // esbuild-wasm's API runs `node bin/esbuild` (the Go WebAssembly loader) as its service.
  'esbuild-wasm/bin/esbuild',
  'esbuild-wasm/esbuild.wasm',
  'esbuild-wasm/wasm_exec.js',
  'esbuild-wasm/wasm_exec_node.js',
  'onnxruntime-web/package.json',
  'onnxruntime-web/dist/ort.node.min.js',
  'onnxruntime-web/dist/ort-wasm-simd-threaded.mjs',
  'onnxruntime-web/dist/ort-wasm-simd-threaded.wasm',
];
const HERE = `${process.platform}-${process.arch}`;

/** Everything but the natives: the bundles, the files they load, the media, the schema. */
const COMMON = [
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'dist/cli.js',
  'dist/cli-main.js',
  'dist/server.js',
  'dist/extension.js',
  'dist/typescript.js',
  'dist/aws-s3.js',
  'dist/web-tree-sitter.wasm',
  'dist/tree-sitter-python.wasm',
  'media',
  'schemas',
  // esbuild's and ONNX Runtime's JavaScript (their natives are added per target).
  'dist/node_modules/esbuild/package.json',
  'dist/node_modules/esbuild/lib/main.js',
  'dist/node_modules/onnxruntime-node/package.json',
  'dist/node_modules/onnxruntime-node/dist',
  'dist/node_modules/onnxruntime-common/package.json',
  'dist/node_modules/onnxruntime-common/dist/cjs',
];

/** The folder of package `@esbuild/<target>`: node_modules for this machine, else fetched once. */
function esbuildPackage(target) {
  const installed = join(ROOT, 'node_modules', '@esbuild', target);
  if (existsSync(join(installed, 'package.json'))) return installed;
  const { version } = JSON.parse(readFileSync(join(ROOT, 'node_modules', 'esbuild', 'package.json'), 'utf8'));
  const dir = join(ROOT, '.cache', 'natives', `esbuild-${target}-${version}`);
  if (!existsSync(join(dir, 'package', 'package.json'))) {
    mkdirSync(dir, { recursive: true });
    const file = execFileSync('npm', ['pack', `@esbuild/${target}@${version}`, '--pack-destination', dir, '--silent'], { cwd: dir, encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', join(dir, file), '-C', dir]);
  }
  return join(dir, 'package');
}

/** Copies the natives of `target` into the staging folder. */
function stageNatives(stage, target) {
  const [platform, arch] = target.split('-');
  const esb = esbuildPackage(target);
  const binary = platform === 'win32' ? 'esbuild.exe' : 'bin/esbuild';
  cpSync(join(esb, 'package.json'), join(stage, 'dist/node_modules/@esbuild', target, 'package.json'));
  cpSync(join(esb, binary), join(stage, 'dist/node_modules/@esbuild', target, binary));
  const binding = join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6', platform, arch);
  if (existsSync(binding)) cpSync(binding, join(stage, 'dist/node_modules/onnxruntime-node/bin/napi-v6', platform, arch), { recursive: true });
}

export function packageTarget(target, out) {
  const stage = mkdtempSync(join(tmpdir(), `fg-vsix-${target}-`));
  try {
    for (const f of COMMON) {
      const from = join(ROOT, f);
      if (!existsSync(from)) throw new Error(`${f} is missing: run node esbuild.mjs --production first`);
      cpSync(from, join(stage, f), { recursive: true });
    }
    if (target === UNIVERSAL) for (const f of WASM_FILES) cpSync(join(ROOT, 'node_modules', f), join(stage, 'dist', 'node_modules', f));
    else stageNatives(stage, target);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    for (const key of ['files', 'scripts', 'dependencies', 'devDependencies']) delete manifest[key];
    writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
    const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
    const targetArgs = target === UNIVERSAL ? [] : ['--target', target];
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', ...targetArgs, '--out', out], { cwd: stage, stdio: ['ignore', 'inherit', 'inherit'] });
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const named = args.flatMap((a, i) => (a === '--target' ? [args[i + 1]] : []));
  const unknown = named.filter((t) => !TARGETS.includes(t) && t !== UNIVERSAL);
  if (unknown.length) {
    console.error(`packageVsix: unknown target ${unknown.join(', ')} (targets: ${TARGETS.join(', ')})`);
    process.exit(2);
  }
  if (args.includes('--all') || named.length) {
    mkdirSync(join(ROOT, 'vsix'), { recursive: true });
    for (const t of args.includes('--all') ? [...TARGETS, UNIVERSAL] : named) packageTarget(t, join(ROOT, 'vsix', `featureguard-${t}.vsix`));
  } else {
    packageTarget(HERE, join(ROOT, 'featureguard.vsix'));
  }
}
