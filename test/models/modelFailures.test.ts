/**
 * Models that cannot run (SPEC §10): each is exactly one `model.input` error finding naming the
 * model, on the feature it reads; the check exits 1 (not 2) and the other features of the same
 * run still get their verdicts. The memory cases go through `runCheck` with a memory limit (the
 * CLI has no flag for it).
 */
import { strict as assert } from 'node:assert';
import { logisticRegression, memoryHungryModel, slowModel } from '../../scripts/onnxBuilder.mjs';
import { runCheck } from '../../engine/runCheck';
import { prng, removeTempDirs } from '../helpers';
import { EDIT_A, LOCATION, check, edit, modelRepo, type ModelFile, type RepoOptions } from './modelRepo';

const LR = logisticRegression({ weights: [0.5, 0.25, 1], bias: -0.5 });
const LIST = { float_input: ['fb', 'c', 'fa'] };

/** A repository where `bad` reads fa; fa and the unrelated `other` are both edited. */
function failingRepo(bad: ModelFile, options: RepoOptions = {}): string {
  const root = modelRepo({ bad }, { consumers: { fa: ['bad'] }, ...options });
  edit(root, EDIT_A);
  edit(root, ['return row.o; }', 'return row.o * 2; }']);
  return root;
}

/** Every finding of the report, wherever it stands. */
function allFindings(report: any): any[] {
  return [...report.findings, ...report.features.flatMap((f: any) => f.findings.map((x: any) => ({ ...x, feature: f.name })))];
}

/** The one model.input finding, and the rest of the run as it should be. */
function expectOneModelInput(report: any, message: string | RegExp): void {
  const inputs = allFindings(report).filter((x) => x.check === 'model.input');
  assert.equal(inputs.length, 1, JSON.stringify(inputs));
  const [f] = inputs;
  assert.equal(f.severity, 'error');
  assert.equal(f.feature, 'fa');
  assert.deepEqual(f.location, LOCATION.fa);
  if (typeof message === 'string') assert.equal(f.message, message);
  else assert.match(f.message, message);
  // The model's entry carries the error and no figures.
  assert.equal(report.models.length, 1);
  const m = report.models[0];
  assert.equal(m.name, 'bad');
  assert.equal(m.rows, 0);
  assert.equal(m.flipRate, undefined);
  assert.equal(m.summary, f.message);
  assert.equal(`bad: ${m.error}`, f.message);
  // No other model finding; both features were still checked.
  assert.deepEqual(allFindings(report).filter((x) => x.check.startsWith('model.') && x.check !== 'model.input'), []);
  const byName = Object.fromEntries(report.features.map((x: any) => [x.name, x]));
  for (const name of ['fa', 'other']) {
    assert.equal(byName[name].verdict, 'changed', name);
    assert.equal(byName[name].findings.find((x: any) => x.check === 'value.mismatch')?.severity, 'error', name);
  }
  assert.equal(byName.other.change.kind, 'affine');
}

describe('models that cannot run (end to end)', function () {
  this.timeout(120000);
  after(removeTempDirs);

  it('an inputs key that is not an input of the model', () => {
    const run = check(failingRepo({ bytes: LR, config: { inputs: { features: ['fb', 'c', 'fa'] } } }));
    assert.equal(run.code, 1);
    expectOneModelInput(run.report, 'bad: models.bad.inputs names "features", which is not an input of the model (the model\'s inputs: float_input [N, 3] float32)');
  });

  it('a string column bound into a float input', () => {
    const run = check(failingRepo({ bytes: LR, config: { inputs: { float_input: ['fb', 'plan', 'fa'] } } }));
    assert.equal(run.code, 1);
    expectOneModelInput(run.report, 'bad: input "float_input" takes float32 numbers, but "plan" holds text ("basic") (row 1 of the sample)');
  });

  it('a model file that is not there', () => {
    const run = check(failingRepo({ bytes: null, config: { inputs: LIST } }));
    assert.equal(run.code, 1);
    expectOneModelInput(run.report, 'bad: file not found: models/bad.onnx');
  });

  it('a corrupt model file (random bytes)', () => {
    const rand = prng(12);
    const bytes = Buffer.from(Array.from({ length: 4096 }, () => Math.floor(rand() * 256)));
    const run = check(failingRepo({ bytes, config: { inputs: LIST } }));
    assert.equal(run.code, 1);
    expectOneModelInput(run.report, /^bad: not a valid ONNX model \(.+\)$/);
  });

  it('a model slower than timeoutMs', () => {
    // Forty seconds or more of matrix products on any machine (width³ × rounds multiply-adds).
    const run = check(failingRepo({ bytes: slowModel({ width: 2048, rounds: 400 }), config: { inputs: { x: 'fa' } } }, { extra: { timeoutMs: 3000 } }));
    assert.equal(run.code, 1);
    expectOneModelInput(run.report, 'bad: running it took longer than 3000 ms (timeoutMs)');
  });

  it('a 200 MB model is refused before loading when 3× its size exceeds the memory limit', async () => {
    const bytes = logisticRegression({ weights: [0.5, 0.25, 1], bias: -0.5, extraInitializer: { zeros: 50_000_000 } });
    assert.ok(bytes.length > 200e6);
    const root = failingRepo({ bytes, config: { inputs: LIST } }, { untrackedModels: true });
    const report = await runCheck({ cwd: root, diskCache: false, memoryMb: 512 });
    const mb = Math.round(bytes.length / 2 ** 20);
    expectOneModelInput(report, `bad: models/bad.onnx is ${mb} MB: loading it takes about ${Math.round((bytes.length * 3) / 2 ** 20)} MB, more than the 512 MB memory limit for user code`);
  });

  it('a model whose run grows past the memory limit is stopped', async () => {
    // Each of its tensors is 12 rows × 2²³ floats = 384 MB; the limit is 300 MB.
    const root = failingRepo({ bytes: memoryHungryModel({ width: 1 << 23, rounds: 8 }), config: { inputs: { x: 'fa' } } }, { extra: { timeoutMs: 60000 } });
    const report = await runCheck({ cwd: root, diskCache: false, memoryMb: 300 });
    expectOneModelInput(report, 'bad: it used more than the 300 MB memory limit for user code');
  });
});
