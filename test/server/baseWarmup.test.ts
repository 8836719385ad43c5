/**
 * The language server's background warm-up of base values, on the real server over stdio, a real
 * git repository and a real Parquet snapshot: after start-up it computes HEAD's values of every
 * feature into `.git/featureguard/results/` (status "warming base values k/N", then idle), so the
 * next check — the CLI's or a save in the editor — finds every base side cached; an edit stops it
 * at once and it resumes after, skipping what is warmed; a commit warms the new HEAD's values of
 * the feature it changed, and only those; in restricted mode nothing runs.
 *
 * The features are deliberately slow (a spin loop per row, ~0.2 s a feature here) so that an edit
 * sent when the first batch is reported lands while the second batch runs, with no timing assert.
 */
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commitAll, exampleRepo, git, makeRepo, removeTempDirs, runCliAsync, writeFiles, type Files } from '../helpers';
import { parquetBytes, type SnapshotRows } from '../e2e/snapshotFiles';
import { LspTestClient } from './lspClient';

const FEATURES = 10;
const ROWS = 400;
const spin = (n: number) => `export const SPIN = ${n};
export function slow(x: number, k: number): number {
  let a = 0;
  for (let i = 0; i < SPIN; i++) a = (a + i * k) % 7;
  return x * k + (a < 0 ? 1 : 0);
}
`;
const featureFile = (i: number, plus = '') => `import { slow } from './slow';
export function f${i}(row: { x: number }) { return slow(row.x, ${i + 1})${plus}; }
`;

function warmRepo(): string {
  const rows: SnapshotRows = [];
  for (let r = 0; r < ROWS; r++) {
    const row: SnapshotRows[number] = { x: r % 97 };
    for (let i = 0; i < FEATURES; i++) row[`f${i}`] = (r % 97) * (i + 1);
    rows.push(row);
  }
  const files: Files = { 'src/features/slow.ts': spin(80000), 'data/s.parquet': Buffer.from(parquetBytes(rows)) };
  const features: Record<string, unknown> = {};
  for (let i = 0; i < FEATURES; i++) {
    files[`src/features/f${i}.ts`] = featureFile(i);
    features[`f${i}`] = { source: `src/features/f${i}.ts#f${i}`, snapshot: 's', column: `f${i}` };
  }
  files['featureguard.json'] = JSON.stringify({ snapshots: { s: { path: 'data/s.parquet', sampleRows: ROWS, seed: 1 } }, features, timeoutMs: 30000 }, null, 2);
  return makeRepo(files);
}

const resultsDir = (root: string) => join(root, '.git', 'featureguard', 'results');
/** The side results (named by their key's hash; sampled columns are `s-…`, costs `costs.json`). */
const entries = (root: string) => (existsSync(resultsDir(root)) ? readdirSync(resultsDir(root)).filter((f) => /^[0-9a-f]{40}$/.test(f)) : []);

describe('language server: background warm-up of base values', function () {
  this.timeout(120000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  function start(root: string, options: { trusted?: boolean; settings?: Record<string, unknown>; python?: string } = {}): LspTestClient {
    // The server inherits the environment it is spawned with.
    const previous = process.env.FEATUREGUARD_PYTHON;
    if (options.python) process.env.FEATUREGUARD_PYTHON = options.python;
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onSave', ...options.settings }, trusted: options.trusted });
    if (previous === undefined) delete process.env.FEATUREGUARD_PYTHON;
    else process.env.FEATUREGUARD_PYTHON = previous;
    clients.push(client);
    return client;
  }

  const warmedLog = (client: LspTestClient, from = 0) => client.logs.slice(from).find((l) => /base values of HEAD \w+ warmed/.test(l));

  it('warms every feature after start-up; the next CLI check and the next save-check run only the target side', async () => {
    const root = warmRepo();
    const client = start(root);
    await client.initialize();
    const done = await client.waitFor('the warm-up to finish', () => warmedLog(client), 90000);
    assert.match(done, new RegExp(`warmed: ${FEATURES}/${FEATURES} feature\\(s\\), ${FEATURES} computed, 0 already cached`));
    assert.equal(entries(root).length, FEATURES, 'one results entry per feature');
    // The status said so, counting up, and went back to idle.
    const warming = client.statuses.filter((s) => s.state === 'warming');
    assert.ok(warming.length >= 2, JSON.stringify(client.statuses));
    assert.equal(warming[0].message, `warming base values 0/${FEATURES}`);
    assert.equal(warming.at(-1)!.message, `warming base values ${FEATURES}/${FEATURES}`);
    const after = client.statuses.slice(client.statuses.indexOf(warming.at(-1)!) + 1);
    await client.waitFor('the idle status after the warm-up', () => client.statuses.at(-1)?.state === 'idle');
    assert.ok(after.length === 0 || after.every((s) => s.state === 'idle'), JSON.stringify(after));

    // An edit every feature's closure reaches, values unchanged: the CLI runs only the target.
    writeFiles(root, { 'src/features/slow.ts': spin(80001) });
    const cli = await runCliAsync(root, ['check', '--format', 'json']);
    const report = JSON.parse(cli.stdout);
    assert.equal(report.summary.featuresAffected, FEATURES);
    assert.deepEqual(report.summary.cache, { baseHits: FEATURES, targetHits: 0, misses: FEATURES });
    assert.ok(report.features.every((f: { verdict: string }) => f.verdict === 'identical'), cli.stdout.slice(0, 2000));

    // The same in the editor: a save checks with every base side from the warm-up.
    const uri = pathToFileURL(join(root, 'src/features/slow.ts')).href;
    writeFiles(root, { 'src/features/slow.ts': spin(80002) });
    client.open(uri, spin(80002));
    client.save(uri);
    const saved = await waitForReport(client, (r) => r.summary.featuresAffected === FEATURES && !!r.summary.cache);
    assert.deepEqual(saved.summary.cache, { baseHits: FEATURES, targetHits: 0, misses: FEATURES });
  });

  it('stops at an edit, at once, and resumes after it where it stopped', async () => {
    const root = warmRepo();
    const client = start(root);
    await client.initialize();
    // The first batch is done; the second is running.
    await client.waitFor('the first batch warmed', () => client.statuses.some((s) => s.state === 'warming' && s.message !== `warming base values 0/${FEATURES}`), 90000);
    const uri = pathToFileURL(join(root, 'src/features/f0.ts')).href;
    client.open(uri, featureFile(0));
    client.edit(uri, featureFile(0), 'import', '// a comment\nimport');
    const paused = await client.waitFor('the warm-up paused', () => client.logs.find((l) => /warming base values paused at \d+\/\d+/.test(l)));
    const at = Number(/paused at (\d+)\//.exec(paused)![1]);
    assert.ok(at > 0 && at < FEATURES, paused);
    const atPause = entries(root).length;
    assert.ok(atPause < FEATURES, `${atPause} entries when paused`);
    // It resumes once the edit's own run is over, with what is left.
    const done = await client.waitFor('the warm-up to finish', () => warmedLog(client), 90000);
    const m = /warmed: (\d+)\/(\d+) feature\(s\), (\d+) computed, (\d+) already cached/.exec(done)!;
    assert.equal(Number(m[1]), FEATURES);
    assert.equal(Number(m[3]) + Number(m[4]), FEATURES - at, `the resumed pass covers the ${FEATURES - at} features left: ${done}`);
    const resumed = client.logs.find((l) => l.includes(`${FEATURES - at} of ${FEATURES} feature(s) to go`));
    assert.ok(resumed, client.logs.join('\n'));
    assert.equal(entries(root).length, FEATURES);
  });

  it('after a commit, warms the new HEAD\'s values of the feature it changed, and only those', async () => {
    const root = warmRepo();
    const client = start(root);
    await client.initialize();
    await client.waitFor('the first warm-up', () => warmedLog(client), 90000);
    assert.equal(entries(root).length, FEATURES);
    const from = client.logs.length;
    // Committed from a terminal: the server sees the branch's ref move by itself.
    commitAll(root, { 'src/features/f3.ts': featureFile(3, ' + 1') }, 'f3 plus one');
    const done = await client.waitFor('the warm-up of the new HEAD', () => warmedLog(client, from), 90000);
    assert.match(done, new RegExp(`warmed: ${FEATURES}/${FEATURES} feature\\(s\\), 1 computed, 0 already cached`));
    assert.ok(client.logs.slice(from).some((l) => l.includes(`1 of ${FEATURES} feature(s) to go`)), client.logs.slice(from).join('\n'));
    assert.equal(entries(root).length, FEATURES + 1, 'the new base of f3 beside the old one');
    // An edit of f3 now finds its new base cached.
    writeFiles(root, { 'src/features/f3.ts': featureFile(3, ' + 2') });
    const report = JSON.parse((await runCliAsync(root, ['check', '--format', 'json'])).stdout);
    assert.deepEqual(report.features.map((f: { name: string }) => f.name), ['f3']);
    assert.deepEqual(report.summary.cache, { baseHits: 1, targetHits: 0, misses: 1 });

    // A checkout of a new branch, then a commit on it: the new branch's ref is watched too.
    git(root, 'checkout', '-q', '--', 'src');
    const checkedOut = client.statuses.length;
    git(root, 'checkout', '-q', '-b', 'other', 'HEAD~1');
    await client.waitFor('the check after the checkout', () => client.statuses.slice(checkedOut).some((s) => s.state === 'checking'));
    const from2 = client.logs.length;
    commitAll(root, { 'src/features/f5.ts': featureFile(5, ' * 2') }, 'f5 doubled');
    const again = await client.waitFor('the warm-up after the commit on the new branch', () => warmedLog(client, from2), 90000);
    assert.match(again, new RegExp(`warmed: ${FEATURES}/${FEATURES} feature\\(s\\), 1 computed, 0 already cached`));
    assert.equal(entries(root).length, FEATURES + 3, 'the first bases, f3\'s new base, the CLI\'s f3 target, f5\'s new base');
  });

  it('warms Python features too (churn-py): the story\'s CLI check then runs only the target side', async () => {
    const root = exampleRepo('churn-py', true);
    const client = start(root, { python: '/usr/bin/python3' });
    await client.initialize();
    const done = await client.waitFor('the warm-up to finish', () => warmedLog(client), 90000);
    // Its 7 configured features and one `@feature` tag.
    assert.match(done, /warmed: 8\/8 feature\(s\), 8 computed, 0 already cached/);
    git(root, 'apply', 'story.patch');
    const cli = await runCliAsync(root, ['check', '--format', 'json'], { FEATUREGUARD_PYTHON: '/usr/bin/python3' });
    const report = JSON.parse(cli.stdout);
    assert.ok(report.summary.featuresAffected >= 1, cli.stdout.slice(0, 1000));
    assert.deepEqual(report.summary.cache, { baseHits: report.summary.featuresAffected, targetHits: 0, misses: report.summary.featuresAffected });
  });

  it('warms nothing in an untrusted workspace, nor with the setting off', async () => {
    for (const [options, why] of [
      [{ trusted: false }, /base values are not warmed: restricted mode/],
      [{ settings: { warmBaseValues: false } }, /base values are not warmed: featureguard.warmBaseValues is off/],
      [{ settings: { runDataChecks: 'manual' } }, /base values are not warmed: data checks run only on command/],
    ] as const) {
      const root = warmRepo();
      const client = start(root, options);
      await client.initialize();
      await client.waitFor('the reason it does not warm', () => client.logs.some((l) => why.test(l)));
      assert.deepEqual(entries(root), [], 'no results written');
      assert.ok(!client.statuses.some((s) => s.state === 'warming'));
      assert.ok(!client.logs.some((l) => /warming base values/.test(l)), client.logs.join('\n'));
    }
  });
});

/** Polls the server's latest report until `predicate` holds. */
async function waitForReport(client: LspTestClient, predicate: (r: { summary: { featuresAffected: number; cache?: unknown } }) => boolean): Promise<{ summary: { featuresAffected: number; cache?: unknown } }> {
  const deadline = Date.now() + 60000;
  for (;;) {
    const reports = (await client.connection.sendRequest('featureguard/reports')) as { report: { summary: { featuresAffected: number; cache?: unknown } } }[];
    const r = reports[0]?.report;
    if (r && predicate(r)) return r;
    if (Date.now() > deadline) throw new Error(`no such report; last: ${JSON.stringify(r?.summary)}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
