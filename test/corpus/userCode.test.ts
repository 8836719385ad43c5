/**
 * Bad-input corpus, user code: feature functions that recurse without end, throw what is not an
 * Error, return promises, call process.exit, kill their process, loop forever, never settle, throw
 * after returning or return what is no feature value. Each is one exact finding on its own
 * feature; the features checked beside it in the same worker batch keep their verdicts. (Unbounded
 * allocation is in test/e2e/checkCli.test.ts: it needs a 1 GB heap to fill.)
 */
import { strict as assert } from 'node:assert';
import { removeTempDirs, runJson } from '../helpers';
import { edit, repo } from '../e2e/featureRepo';

/** Runs `check` once over a repository whose five features carry the given edits. */
function checkEdits(edits: [from: string, to: string][]): (name: string) => any {
  const root = repo();
  for (const [from, to] of edits) edit(root, from, to);
  const { report } = runJson(root, ['check']);
  return (name) => {
    const feature = report.features.find((f: any) => f.name === name);
    assert.ok(feature, `${name} is not in the report`);
    return feature;
  };
}
const finding = (feature: any, check: string) => {
  const found = feature.findings.find((f: any) => f.check === check);
  assert.ok(found, `no ${check} finding: ${JSON.stringify(feature.findings)}`);
  return `${found.check}:${found.severity}: ${found.message}`;
};

const SPEND = 'return row.spend;';
const TIER = "return row.plan === 'pro' ? 'high' : 'low'; }";
const TICKETS = 'return row.tickets ?? 0;';
const AGE = 'return row.age; }';
const RECENCY = 'return clip(row.days); }';

describe('corpus: user code that throws, recurses, exits or returns promises', function () {
  this.timeout(60000);
  after(removeTempDirs);
  let feature: (name: string) => any;
  before(() => {
    feature = checkEdits([
      [SPEND, 'const deep = (n: number): number => deep(n + 1) + 1; if (row.spend > 150) return deep(0); return row.spend;'],
      [TICKETS, 'if (row.tickets === null) throw { code: 42 }; return row.tickets;'],
      [TIER, "return Promise.resolve(row.plan === 'pro' ? 'high' : 'low') as unknown as string; }"],
      [AGE, 'if (row.age > 70) process.exit(3); return row.age; }'],
      [RECENCY, 'if (row.days > 90) throw "stale"; return clip(row.days); }'],
    ]);
  });

  it('deep recursion is a RangeError on the rows that recurse', () => {
    assert.equal(finding(feature('spend'), 'runtime.error'), 'runtime.error:error: throws on 24% of sampled rows (193 of 800): RangeError: Maximum call stack size exceeded');
    assert.equal(feature('spend').verdict, 'broken');
  });

  it('a thrown plain object is shown as JSON', () => {
    assert.equal(finding(feature('tickets'), 'runtime.error'), 'runtime.error:error: throws on 11% of sampled rows (86 of 800): threw a non-Error value: {"code":42}');
  });

  it('an async function returning a promise is awaited: a refactor to async is identical', () => {
    assert.equal(feature('tier').verdict, 'identical');
    assert.deepEqual(feature('tier').findings, []);
  });

  it('process.exit is an error on the rows that call it, not a dead worker', () => {
    assert.equal(finding(feature('age_years'), 'runtime.error'), 'runtime.error:error: throws on 11% of sampled rows (91 of 800): feature code called process.exit(3)');
  });

  it('a thrown string is shown quoted', () => {
    assert.equal(finding(feature('recency'), 'runtime.error'), 'runtime.error:error: throws on 9.5% of sampled rows (76 of 800): threw a non-Error value: "stale"');
  });
});

describe('corpus: user code whose promises reject, or that throws nothing at all', function () {
  this.timeout(60000);
  after(removeTempDirs);
  let feature: (name: string) => any;
  before(() => {
    feature = checkEdits([
      [RECENCY, 'return Promise.reject(new TypeError(`no ${row.days}`)) as unknown as number; }'],
      [TICKETS, 'if (row.tickets === 4) throw undefined; return row.tickets ?? 0;'],
      [SPEND, "if (row.spend > 150) throw new Error('line one\\n' + 'x'.repeat(2_000_000)); return row.spend;"],
      [TIER, "void Promise.reject(new Error(`forgotten ${row.plan}`)); return row.plan === 'pro' ? 'high' : 'low'; }"],
      [AGE, '(Object.prototype as any).then = (resolve: (v: unknown) => void) => resolve(1); return row.age; }'],
    ]);
  });

  it('code that makes every object a thenable (Object.prototype.then) garbles only its own reply', () => {
    assert.deepEqual(feature('age_years').findings.map((f: any) => `${f.check}:${f.severity}: ${f.message}`), ['runtime.error:error: the worker sent a garbled reply: did the feature code change a built-in object (such as Object.prototype)?']);
  });

  it('a promise rejected and never awaited is charged to its feature', () => {
    assert.deepEqual(feature('tier').findings.map((f: any) => `${f.check}:${f.severity}: ${f.message}`), ['runtime.error:error: the feature code threw after returning (in a timer, callback or unhandled promise): forgotten basic']);
  });

  it('an error message of two million characters over two lines is reported on one line, cut at 500 characters', () => {
    assert.equal(finding(feature('spend'), 'runtime.error'), `runtime.error:error: throws on 24% of sampled rows (193 of 800): line one ${'x'.repeat(490)}…`);
  });

  it('a rejected promise is the error of its row', () => {
    assert.equal(finding(feature('recency'), 'runtime.error'), 'runtime.error:error: throws on 100% of sampled rows (800 of 800): TypeError: no 60');
  });

  it('a thrown undefined', () => {
    assert.equal(finding(feature('tickets'), 'runtime.error'), 'runtime.error:error: throws on 17% of sampled rows (138 of 800): threw a non-Error value: undefined');
  });
});

describe('corpus: user code that never ends, kills its worker or misbehaves after returning', function () {
  this.timeout(60000);
  after(removeTempDirs);
  let feature: (name: string) => any;
  before(() => {
    feature = checkEdits([
      [SPEND, 'while (row.spend >= 0) { row.spend = row.spend + 1; } return row.spend;'],
      [TIER, 'return new Promise<string>(() => undefined); }'],
      [TICKETS, "process.kill(process.pid, 'SIGKILL'); return row.tickets ?? 0;"],
      [AGE, 'setTimeout(() => { throw new Error(`late ${row.age}`); }, 0); return row.age; }'],
      [RECENCY, 'return (() => clip(row.days)) as unknown as number; }'],
    ]);
  });

  it('an infinite loop is runtime.timeout', () => {
    assert.deepEqual(feature('spend').findings.map((f: any) => `${f.check}:${f.severity}: ${f.message}`), ['runtime.timeout:error: execution exceeded timeoutMs (1500 ms)']);
    assert.equal(feature('spend').verdict, 'broken');
  });

  it('a promise that never settles is runtime.timeout', () => {
    assert.deepEqual(feature('tier').findings.map((f: any) => `${f.check}:${f.severity}: ${f.message}`), ['runtime.timeout:error: execution exceeded timeoutMs (1500 ms)']);
  });

  it('code that kills its own worker fails alone', () => {
    assert.deepEqual(feature('tickets').findings.map((f: any) => `${f.check}:${f.severity}: ${f.message}`), ['runtime.error:error: the worker exited (SIGKILL) before reporting']);
  });

  it('an exception thrown after returning (in a timer) is charged to its feature, not to the next one', () => {
    assert.deepEqual(feature('age_years').findings.map((f: any) => `${f.check}:${f.severity}: ${f.message}`), ['runtime.error:error: the feature code threw after returning (in a timer, callback or unhandled promise): late 49']);
  });

  it('a function returned instead of a value is an error of every row', () => {
    assert.equal(finding(feature('recency'), 'runtime.error'), 'runtime.error:error: throws on 100% of sampled rows (800 of 800): the function returned a function, not a feature value');
  });
});

describe('corpus: a time budget larger than a timer holds', function () {
  this.timeout(60000);
  after(removeTempDirs);

  it('timeoutMs of 3e9 ms (35 days) runs the features instead of timing them all out after 1 ms', () => {
    const root = repo('parquet', { timeoutMs: 3e9 });
    edit(root, SPEND, 'return (row.spend - 100) / 50;');
    const r = runJson(root, ['check']);
    assert.deepEqual(r.report.features.map((f: any) => `${f.name}:${f.verdict}`), ['spend:changed']);
    assert.deepEqual(r.report.features[0].findings.map((f: any) => `${f.check}:${f.severity}`), ['value.mismatch:error', 'drift.distribution:error']);
    assert.doesNotMatch(r.stderr, /TimeoutOverflowWarning/);
  });
});
