/**
 * The npm package (issue 16): what `npm pack` puts in the tarball (a `files` list: the bundles, the
 * schema, the hook launcher, README, LICENSE, CHANGELOG — no tests, no sources, no source maps)
 * within a size budget; and the tarball installed into a fresh folder outside the repository,
 * offline from npm's cache (`npm ci` filled it), where `npx featureguard` is the same version and
 * catches the story on the bundled example.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exampleRepo, git, removeTempDirs, tempDir } from '../helpers';

const ROOT = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; bin: Record<string, string>; dependencies: Record<string, string> };
/**
 * The budget: what the tarball may weigh, packed and unpacked (1.0 and 4.9 MB on 2026-12-02; the
 * whole TypeScript compiler instead of the parser-only one would be 3.6 MB more, unpacked).
 */
const MAX_PACKED = 2 * 1024 * 1024;
const MAX_UNPACKED = 8 * 1024 * 1024;

const npm = (args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) =>
  spawnSync('npm', args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra } });

describe('the npm package', function () {
  this.timeout(240000);
  after(removeTempDirs);

  it('packs the bundles, the schema, the hook launcher and the docs only, within the size budget', () => {
    const r = npm(['pack', '--dry-run', '--json', '--ignore-scripts'], ROOT);
    assert.equal(r.status, 0, r.stderr);
    const [info] = JSON.parse(r.stdout) as [{ size: number; unpackedSize: number; files: { path: string }[] }];
    const paths = info.files.map((f) => f.path).sort();
    assert.deepEqual(paths, [
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'dist/aws-s3.js',
      'dist/cli-main.js',
      'dist/cli.js',
      'dist/tree-sitter-python.wasm',
      'dist/typescript.js',
      'dist/web-tree-sitter.wasm',
      'hooks/featureguard-pre-commit.mjs',
      'package.json',
      'schemas/featureguard.schema.json',
    ]);
    for (const target of Object.values(pkg.bin)) assert.ok(paths.includes(target.replace(/^\.\//, '')), `bin ${target} is in the tarball`);
    assert.ok(info.size <= MAX_PACKED, `packed ${info.size} bytes > ${MAX_PACKED}`);
    assert.ok(info.unpackedSize <= MAX_UNPACKED, `unpacked ${info.unpackedSize} bytes > ${MAX_UNPACKED}`);
    // Everything else is inside the bundles: only the native runtimes are dependencies.
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), ['esbuild', 'onnxruntime-node']);
  });

  it('installed from the tarball into a fresh folder: npx featureguard is this version and catches the story', () => {
    const packs = tempDir('fg-pack-');
    const packed = npm(['pack', '--ignore-scripts', '--pack-destination', packs], ROOT);
    assert.equal(packed.status, 0, packed.stderr);
    const tarball = join(packs, `${pkg.name}-${pkg.version}.tgz`);

    const app = tempDir('fg-npm-install-');
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'uses-featureguard', version: '1.0.0', private: true }));
    // Offline: from npm's cache only, never the network. onnxruntime-node's download step skipped (.npmrc's setting, not in this folder).
    const installed = npm(['install', '--offline', '--no-save', tarball], app, { npm_config_onnxruntime_node_install: 'skip' });
    assert.equal(installed.status, 0, `${installed.stdout}\n${installed.stderr}`);

    const version = spawnSync('npx', ['--no-install', 'featureguard', '--version'], { cwd: app, encoding: 'utf8' });
    assert.equal(version.stdout, `${pkg.version}\n`, version.stderr);

    // The story (scripts/demo.mjs): the example as deployed, committed; monthlySpend normalized.
    const work = exampleRepo('churn');
    git(work, 'apply', join(ROOT, 'examples', 'churn', 'story.patch'));
    const bin = join(app, 'node_modules', '.bin', 'featureguard');
    const check = spawnSync(bin, ['check', '--format', 'json'], { cwd: work, encoding: 'utf8' });
    assert.equal(check.status, 1, check.stderr);
    const report = JSON.parse(check.stdout);
    assert.equal(report.summary.version, pkg.version);
    const spend = report.features.find((f: { name: string }) => f.name === 'spend_usd');
    assert.ok(spend, JSON.stringify(report.features.map((f: { name: string }) => f.name)));
    assert.ok(spend.findings.some((f: { check: string; severity: string }) => f.check === 'value.mismatch' && f.severity === 'error'), JSON.stringify(spend.findings));
  });
});
