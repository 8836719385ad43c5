/**
 * One VSIX per platform (issue 16): `npm run package:all` writes vsix/featureguard-<target>.vsix;
 * each is unpacked and every native binary inside is checked against its target by its header —
 * ELF, Mach-O or PE, and the machine (x86-64 or arm64) — so that no other platform's binary is
 * inside; esbuild's binary is there, ONNX Runtime's binding too where it exists (none is built for
 * darwin-x64), and the bundles load. `.ci/run` packages them before the tests.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { exampleRepo, git, removeTempDirs } from '../helpers';
import { LspTestClient } from '../server/lspClient';

const ROOT = join(__dirname, '..', '..', '..');
const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64', 'win32-arm64'];
const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;

type Kind = { format: 'elf' | 'macho' | 'pe'; arch: 'x64' | 'arm64' | string };

/** The format and machine of a native binary from its first bytes; undefined for anything else. */
function nativeKind(bytes: Buffer): Kind | undefined {
  if (bytes.length >= 20 && bytes.readUInt32BE(0) === 0x7f454c46) {
    const machine = bytes.readUInt16LE(0x12);
    return { format: 'elf', arch: machine === 0x3e ? 'x64' : machine === 0xb7 ? 'arm64' : `elf-machine-${machine}` };
  }
  if (bytes.length >= 8 && (bytes.readUInt32LE(0) === 0xfeedfacf || bytes.readUInt32LE(0) === 0xfeedface)) {
    const cpu = bytes.readUInt32LE(4);
    return { format: 'macho', arch: cpu === 0x01000007 ? 'x64' : cpu === 0x0100000c ? 'arm64' : `macho-cpu-${cpu}` };
  }
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xcafebabe && bytes.readUInt32BE(4) < 20) return { format: 'macho', arch: 'universal' };
  if (bytes.length >= 0x40 && bytes.toString('latin1', 0, 2) === 'MZ') {
    const pe = bytes.readUInt32LE(0x3c);
    if (pe + 6 <= bytes.length && bytes.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = bytes.readUInt16LE(pe + 4);
      return { format: 'pe', arch: machine === 0x8664 ? 'x64' : machine === 0xaa64 ? 'arm64' : `pe-machine-${machine}` };
    }
  }
  return undefined;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

describe('one VSIX per platform', function () {
  this.timeout(120000);
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  after(removeTempDirs);

  for (const target of TARGETS) {
    it(`${target}: natives of ${target} only, esbuild and ONNX Runtime where built, bundles load`, () => {
      const vsix = join(ROOT, 'vsix', `featureguard-${target}.vsix`);
      assert.ok(existsSync(vsix), `${relative(ROOT, vsix)} is missing: run npm run package:all (it fetches the other platforms' esbuild binaries once)`);
      const dir = mkdtempSync(join(tmpdir(), `fg-vsix-${target}-`));
      dirs.push(dir);
      execFileSync('unzip', ['-q', vsix, '-d', dir]);
      const [platform, arch] = target.split('-');
      const format = platform === 'linux' ? 'elf' : platform === 'darwin' ? 'macho' : 'pe';
      const natives = files(dir).map((f) => {
        const head = Buffer.alloc(4096);
        const fd = openSync(f, 'r');
        const n = readSync(fd, head, 0, head.length, 0);
        closeSync(fd);
        return { file: relative(join(dir, 'extension'), f), kind: nativeKind(head.subarray(0, n)) };
      }).filter((x) => x.kind);
      for (const n of natives) assert.deepEqual(n.kind, { format, arch }, `${n.file} in the ${target} VSIX`);
      const names = natives.map((n) => n.file);
      const esbuild = platform === 'win32' ? `dist/node_modules/@esbuild/${target}/esbuild.exe` : `dist/node_modules/@esbuild/${target}/bin/esbuild`;
      assert.ok(names.includes(esbuild), `esbuild's binary in ${target}: ${names.join(', ')}`);
      const binding = `dist/node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/onnxruntime_binding.node`;
      if (target === 'darwin-x64') assert.ok(!names.some((n) => n.includes('onnxruntime-node/bin')), 'no ONNX Runtime binding is built for darwin-x64');
      else assert.ok(names.includes(binding), `${binding} in ${target}: ${names.join(', ')}`);
      // The manifest names the target; the bundles parse, and the CLI bundle runs.
      const manifest = readFileSync(join(dir, 'extension.vsixmanifest'), 'utf8');
      assert.match(manifest, new RegExp(`TargetPlatform="${target}"`));
      for (const bundle of ['extension.js', 'server.js', 'cli.js', 'cli-main.js']) {
        const r = spawnSync(process.execPath, ['--check', join(dir, 'extension', 'dist', bundle)], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${bundle}: ${r.stderr}`);
      }
      const v = spawnSync(process.execPath, [join(dir, 'extension', 'dist', 'cli.js'), '--version'], { encoding: 'utf8' });
      assert.equal(v.stdout, `${version}\n`, v.stderr);
    });
  }

  it('universal: no native binary; a check and the language server run through esbuild-wasm and onnxruntime-web and say so', async () => {
    const vsix = join(ROOT, 'vsix', 'featureguard-universal.vsix');
    assert.ok(existsSync(vsix), `${relative(ROOT, vsix)} is missing: run npm run package:all`);
    const dir = mkdtempSync(join(tmpdir(), 'fg-vsix-universal-'));
    dirs.push(dir);
    execFileSync('unzip', ['-q', vsix, '-d', dir]);
    const natives = files(dir).filter((f) => {
      const head = Buffer.alloc(4096);
      const fd = openSync(f, 'r');
      const n = readSync(fd, head, 0, head.length, 0);
      closeSync(fd);
      return nativeKind(head.subarray(0, n));
    });
    assert.deepEqual(natives, [], 'no native binary in the universal VSIX');
    assert.doesNotMatch(readFileSync(join(dir, 'extension.vsixmanifest'), 'utf8'), /TargetPlatform=/);
    // Nothing native can be found from the unpacked folder (in the temp dir, outside the repository).
    const cli = join(dir, 'extension', 'dist', 'cli.js');
    const work = exampleRepo('churn');
    git(work, 'apply', join(ROOT, 'examples', 'churn', 'story.patch'));
    const check = spawnSync(process.execPath, [cli, 'check', '--format', 'json'], { cwd: work, encoding: 'utf8' });
    assert.equal(check.status, 1, check.stderr);
    const report = JSON.parse(check.stdout);
    const spend = report.features.find((f: { name: string }) => f.name === 'spend_usd');
    assert.ok(spend.findings.some((f: { check: string }) => f.check === 'value.mismatch'), JSON.stringify(spend.findings));
    assert.ok(spend.findings.some((f: { check: string }) => f.check === 'model.prediction-shift'), 'the model ran in onnxruntime-web');

    // Nothing cached by that run: the server bundles and runs both sides itself.
    rmSync(join(work, '.git', 'featureguard'), { recursive: true, force: true });
    const client = new LspTestClient({ rootUri: pathToFileURL(work).href, cli, settings: { runDataChecks: 'onType', dataCheckDelayMs: 100 } });
    try {
      await client.initialize();
      const uri = pathToFileURL(join(work, 'src', 'features', 'customer.ts')).href;
      client.open(uri, readFileSync(join(work, 'src', 'features', 'customer.ts'), 'utf8'));
      client.save(uri);
      await client.waitFor('value.mismatch from the universal server', () => client.fg(uri).some((d) => d.code === 'value.mismatch'));
      const said = (text: string) => client.logs.some((l) => l.includes(text));
      await client.waitFor('both fallbacks named', () => said('esbuild-wasm, the slower fallback') && said('onnxruntime-web (WebAssembly), the slower fallback')).catch((err: Error) => {
        throw new Error(`${err.message}\nserver log:\n${client.logs.join('\n')}`);
      });
    } finally {
      await client.close();
    }
  });
});
