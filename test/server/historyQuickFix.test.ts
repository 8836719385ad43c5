/**
 * history.unreproduced in the editor (SPEC §1, §7): a per-customer rolling mean over a snapshot
 * sampled row by row gets the warning on its function, and its quick fix proposes the snapshot's
 * `sampleBy`/`orderBy` from the columns the code compares rows by — an edit of featureguard.json
 * the editor applies, after which the same refactor is checked with no warning.
 */
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeRepo, removeTempDirs, type Files } from '../helpers';
import { withSpend3 } from '../e2e/eventLog';
import { parquetBytes, prng, type SnapshotRows } from '../e2e/snapshotFiles';
import { LspTestClient } from './lspClient';

const CODE = `type Ev = { customer_id: string; ts: number; spend: number };

export function spend3(rows: Ev[]): number[] {
  return rows.map((_, i) => {
    let sum = 0;
    let n = 0;
    for (let j = i; j >= 0 && j > i - 3 && rows[j].customer_id === rows[i].customer_id; j--) {
      sum += rows[j].spend;
      n++;
    }
    return sum / n;
  });
}
`;

/** 200 customers, 3 to 12 events each, with the committed rolling mean over the whole table; rows shuffled. */
function snapshot(): SnapshotRows {
  const rand = prng(9);
  const rows: { customer_id: string; ts: number; spend: number }[] = [];
  for (let c = 0; c < 200; c++) {
    const n = 3 + Math.floor(rand() * 10);
    for (let k = 0; k < n; k++) rows.push({ customer_id: `c${c}`.padStart(5, '0'), ts: 100 * k + c, spend: Math.round(rand() * 10000) / 100 });
  }
  rows.sort((a, b) => (a.customer_id < b.customer_id ? -1 : a.customer_id > b.customer_id ? 1 : a.ts - b.ts));
  const out: SnapshotRows = withSpend3(rows);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

describe('history.unreproduced in the editor: the sampling quick fix', function () {
  this.timeout(90000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  it('warns on the feature function and proposes sampleBy/orderBy from the columns the code compares rows by', async () => {
    const config = `{
  // events, sampled row by row
  "snapshots": { "events": { "path": "data/events.parquet", "sampleRows": 600, "seed": 1 } },
  "features": { "spend3": { "source": "src/features/events.ts#spend3", "snapshot": "events", "kind": "batch" } }
}
`;
    const root = makeRepo({ 'src/features/events.ts': CODE, 'data/events.parquet': Buffer.from(parquetBytes(snapshot())) as never, 'featureguard.json': config } as Files);
    const client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 50 } });
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/events.ts')).href;
    client.open(uri, CODE);
    await client.waitFor('the first status', () => client.statuses.some((s) => s.state === 'idle'));
    client.edit(uri, CODE, 'return sum / n;', 'const mean = sum / n;\n    return mean;');
    const warning = await client.waitFor('history.unreproduced', () => client.fg(uri).find((d) => d.code === 'history.unreproduced'));
    assert.equal(warning.severity, 2);
    assert.deepEqual(warning.range.start, { line: 2, character: 16 }, 'on the feature function');
    assert.match(warning.message, /set `sampleBy` \/ `orderBy` \/ `sampleBlocks` on snapshot events/);

    const actions: any[] = await client.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: warning.range, context: { diagnostics: [warning] } });
    const fix = actions.find((a) => /neighbours/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join('\n'));
    assert.equal(fix.title, "Keep spend3's neighbours: sample whole customer_id entities, ordered by customer_id, ts (snapshot events)");
    const [configUri] = Object.keys(fix.edit.changes);
    assert.equal(fileURLToPath(configUri), join(root, 'featureguard.json'));
    assert.equal(readFileSync(join(root, 'featureguard.json'), 'utf8'), config, 'the code action writes nothing itself');
    // Apply it as the editor would.
    const lines = config.split('\n');
    const at = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((o, l) => o + l.length + 1, 0) + p.character;
    const [e] = fix.edit.changes[configUri];
    const applied = config.slice(0, at(e.range.start)) + e.newText + config.slice(at(e.range.end));
    assert.match(applied, /\/\/ events, sampled row by row/);
    assert.deepEqual(JSON.parse(applied.replace(/\/\/.*$/m, '')).snapshots.events, { path: 'data/events.parquet', sampleRows: 600, seed: 1, orderBy: ['customer_id', 'ts'], sampleBy: 'customer_id' });
    writeFileSync(join(root, 'featureguard.json'), applied);
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
    // A check run now reads the entities whole: the refactor has nothing to report.
    const result = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.deepEqual(result, { errors: 0, warnings: 0, featuresAffected: 1, featuresChecked: 1 });
    assert.ok(!client.fg(uri).some((x) => x.code === 'history.unreproduced'));
  });
});
