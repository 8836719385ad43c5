#!/usr/bin/env node
/**
 * Packages the VS Code extension (`npm run package`, after `node esbuild.mjs --production`):
 * `featureguard.vsix` for this machine's platform (linux-x64 here).
 *
 * The npm package and the VSIX carry different files — the npm package lists its own in
 * package.json's `files` (the CLI bundle, the schema, the hook launcher), the VSIX the client, the
 * server and the native runtimes — and vsce refuses a `files` list beside a `.vscodeignore`. So the
 * VSIX is made from a staging folder holding exactly its files (the allow-list below) and a
 * manifest without `files`, `scripts` or dependencies.
 *
 *   node scripts/packageVsix.mjs [--out FILE]
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const target = `${process.platform}-${process.arch}`;
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(ROOT, 'featureguard.vsix'));

/** What the VSIX carries: the bundles, the files they load, the media, the schema. */
const FILES = [
  'package.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  'dist/cli.js',
  'dist/server.js',
  'dist/extension.js',
  'dist/typescript.js',
  'dist/aws-s3.js',
  'dist/web-tree-sitter.wasm',
  'dist/tree-sitter-python.wasm',
  'media',
  'schemas',
  // esbuild's JavaScript API and this platform's binary; ONNX Runtime's JavaScript and binding.
  'dist/node_modules/esbuild/package.json',
  'dist/node_modules/esbuild/lib/main.js',
  `dist/node_modules/@esbuild/${target}/package.json`,
  `dist/node_modules/@esbuild/${target}/bin/esbuild`,
  'dist/node_modules/onnxruntime-node/package.json',
  'dist/node_modules/onnxruntime-node/dist',
  'dist/node_modules/onnxruntime-node/bin',
  'dist/node_modules/onnxruntime-common/package.json',
  'dist/node_modules/onnxruntime-common/dist/cjs',
];

const stage = mkdtempSync(join(tmpdir(), 'fg-vsix-'));
try {
  for (const f of FILES) {
    const from = join(ROOT, f);
    if (!existsSync(from)) throw new Error(`${f} is missing: run node esbuild.mjs --production first`);
    cpSync(from, join(stage, f), { recursive: true });
  }
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  for (const key of ['files', 'scripts', 'dependencies', 'devDependencies']) delete manifest[key];
  writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2));
  const vsce = join(ROOT, 'node_modules', '@vscode', 'vsce', 'vsce');
  execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--no-rewrite-relative-links', '--target', target, '--out', out], { cwd: stage, stdio: 'inherit' });
} finally {
  rmSync(stage, { recursive: true, force: true });
}
