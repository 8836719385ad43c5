/**
 * Models in the editor (SPEC §10 with §7), in the real language server over stdio: a changed
 * feature that a configured ONNX model reads shows the model's one-line result in its hover and
 * code lens, and the model's findings as diagnostics on its function; a corrupt model is a
 * `model.input` diagnostic and the server keeps answering; the folder's model worker is one
 * process reused between checks, ended when the folder is removed or the server shuts down.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeTempDirs, writeFiles } from '../helpers';
import { customer } from '../e2e/featureRepo';
import { churnModel, MODEL_PATH, modelRepo } from '../e2e/modelRepo';
import { LspTestClient } from './lspClient';

/** The line (0-based) and a character inside the name of `export function spend`. */
const SPEND = { line: 3, character: 18 };
const SPEND_RANGE = { start: { line: 3, character: 16 }, end: { line: 3, character: 21 } };

/**
 * The live model workers the server process started: its children whose environment carries the
 * ONNX Runtime path the model host hands its worker (Linux /proc).
 */
function modelWorkers(serverPid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const status = procStatus(Number(entry));
    if (!status || status.ppid !== serverPid || status.state === 'Z') continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').some((v) => v.startsWith('FEATUREGUARD_ORT='))) out.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return out;
}

/** A process's state and parent from /proc/PID/stat (the fields after the command name, which may hold spaces). */
function procStatus(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

const running = (pid: number) => {
  const s = procStatus(pid);
  return !!s && s.state !== 'Z';
};

describe('language server over stdio: models', function () {
  this.timeout(60000);
  const clients: LspTestClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.close();
  });
  after(removeTempDirs);

  async function start(model?: Buffer) {
    const root = modelRepo(model);
    const rootUri = pathToFileURL(root).href;
    const client = new LspTestClient({ rootUri, settings: { runDataChecks: 'onType', dataCheckDelayMs: 150 } });
    clients.push(client);
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    client.open(uri, customer);
    await client.waitFor('the first status', () => client.statuses.some((s) => s.state === 'idle'));
    return { root, rootUri, client, uri };
  }

  /** The folder's latest report, as the webview gets it. */
  async function latestReport(client: LspTestClient): Promise<any> {
    const reports: any[] = await client.connection.sendRequest('featureguard/reports');
    return reports[0].report;
  }

  it('shows the model line in the hover and a code lens, and model.prediction-shift on the feature function', async () => {
    const { client, uri } = await start();
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const shift = await client.waitFor('model.prediction-shift on spend', () => client.fg(uri).find((d) => d.code === 'model.prediction-shift'));
    assert.equal(shift.severity, 1, 'an error: most predictions flip');
    assert.deepEqual(shift.range, SPEND_RANGE, 'on the feature function name');
    assert.match(shift.message, /^this edit flips churn_model_v3's prediction on \d+% of sampled rows \(\d+ of 800\)$/);
    assert.equal((shift.data as any)?.feature, 'spend');
    assert.ok(client.fg(uri).some((d) => d.code === 'value.mismatch'), 'beside the feature\'s data findings');

    const report = await latestReport(client);
    assert.equal(report.models.length, 1);
    const line: string = report.models[0].summary;
    assert.match(line, /^churn_model_v3: \d+% of predictions flip \(800 rows\)$/);
    assert.deepEqual(report.models[0].features, ['spend']);

    const hover: any = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: SPEND });
    const md: string = hover.contents.value;
    assert.ok(md.includes(`- ${line}`), md);
    assert.match(md, /Consumers: churn_model_v3 \(model\)/);
    assert.match(md, /`model\.prediction-shift`: this edit flips churn_model_v3's prediction/);

    const lenses: any[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    const onSpend = lenses.filter((l) => l.range.start.line === SPEND.line).map((l) => l.command.title);
    assert.equal(onSpend.length, 2, onSpend.join('\n'));
    assert.match(onSpend[0], /^FeatureGuard: spend · changed · affine · mismatch 100% · PSI [\d.]+ · 3 errors$/);
    assert.equal(onSpend[1], line);
    const model = lenses.find((l) => l.command.title === line);
    assert.equal(model.command.command, 'featureguard.showReport');
    // An unchanged feature the model also reads gets no model line: its values did not move.
    const recency = lenses.filter((l) => l.range.start.line === 2).map((l) => l.command.title);
    assert.deepEqual(recency, ['FeatureGuard: recency · unchanged by this edit']);
  });

  it('shows a corrupt model as a model.input diagnostic and keeps answering; a fixed model file is picked up', async () => {
    const { root, client, uri } = await start(Buffer.from('this is not an ONNX model'));
    const text = client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const input = await client.waitFor('model.input on spend', () => client.fg(uri).find((d) => d.code === 'model.input'));
    assert.equal(input.severity, 1);
    assert.deepEqual(input.range, SPEND_RANGE);
    assert.match(input.message, /^churn_model_v3: not a valid ONNX model/);
    assert.ok(client.fg(uri).some((d) => d.code === 'value.mismatch'), 'the feature is still checked');

    // The server keeps answering: hover (with the model's error line), code lens, reports.
    const hover: any = await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: SPEND });
    assert.match(hover.contents.value, /- \*\*error\*\* `model\.input`: churn_model_v3: not a valid ONNX model/);
    const lenses: any[] = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
    assert.ok(lenses.some((l) => /^churn_model_v3: not a valid ONNX model.* \(model\.input\)$/.test(l.command.title)), lenses.map((l) => l.command.title).join('\n'));
    const report = await latestReport(client);
    assert.match(report.models[0].error, /not a valid ONNX model/);
    assert.ok(client.alive);

    // A valid model written over it runs at the next check (a new edit: see the pending test below).
    writeFiles(root, { [MODEL_PATH]: churnModel() });
    client.filesChanged(pathToFileURL(join(root, MODEL_PATH)).href);
    client.edit(uri, text, 'return (row.spend - 100) / 50;', 'return row.spend * 0.5;');
    await client.waitFor('model.prediction-shift once the model is valid', () => {
      const codes = client.fg(uri).map((d) => d.code);
      return codes.includes('model.prediction-shift') && !codes.includes('model.input');
    });
    assert.ok(client.alive);
  });

  // A reused feature result (Run ML Checks with nothing edited, a save, a model file fixed) must
  // carry this run's model findings only: the result cache once kept the report's own findings
  // list, which the model check then grew (model.prediction-shift twice, or a stale model.input).
  it('a feature result reused from the cache carries only this run\'s model findings', async () => {
    const { root, client, uri } = await start(Buffer.from('this is not an ONNX model'));
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    await client.waitFor('model.input on spend', () => client.fg(uri).some((d) => d.code === 'model.input'));
    writeFiles(root, { [MODEL_PATH]: churnModel() });
    const result: any = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.equal(result.errors, 3, 'value.mismatch, drift.distribution, model.prediction-shift');
    assert.deepEqual(client.fg(uri).map((d) => String(d.code)).filter((c) => c.startsWith('model.')), ['model.prediction-shift']);
    const again: any = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.equal(again.errors, 3, 'the same on a run that reuses every result');
    assert.deepEqual(client.fg(uri).map((d) => String(d.code)).filter((c) => c.startsWith('model.')), ['model.prediction-shift']);
  });

  it('reuses one model worker between checks, and ends it when the folder is removed', async () => {
    const { rootUri, client, uri } = await start();
    let text = client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    const first = await client.waitFor('the first model finding', () => client.fg(uri).find((d) => d.code === 'model.prediction-shift'));
    const workers = modelWorkers(client.pid);
    assert.equal(workers.length, 1, `one model worker: ${workers}`);

    // Another edit, another check: the same worker runs the model (its session stays open).
    text = client.edit(uri, text, 'return (row.spend - 100) / 50;', 'return row.spend * 0.5;');
    await client.waitFor('the second model finding', () => client.fg(uri).find((d) => d.code === 'model.prediction-shift' && d.message !== first.message));
    assert.deepEqual(modelWorkers(client.pid), workers, 'the same worker process');
    const runChecks: any = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.equal(runChecks.featuresChecked, 1);
    assert.deepEqual(modelWorkers(client.pid), workers, 'the same worker process after Run ML Checks');

    // Removing the folder disposes its session: the worker ends, the server lives on.
    void client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: rootUri, name: 'ws' }] } });
    await client.waitFor('the model worker to end', () => !running(workers[0]));
    await client.waitFor('the folder\'s diagnostics cleared', () => client.fg(uri).length === 0);
    assert.ok(client.alive);
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: SPEND }), null);
  });

  it('ends the model worker at shutdown, before the exit notification', async () => {
    const { client, uri } = await start();
    client.edit(uri, customer, 'return row.spend;', 'return (row.spend - 100) / 50;');
    await client.waitFor('the model finding', () => client.fg(uri).some((d) => d.code === 'model.prediction-shift'));
    const [worker] = modelWorkers(client.pid);
    assert.ok(worker && running(worker), 'a model worker runs');
    await client.connection.sendRequest('shutdown');
    await client.waitFor('the model worker to end', () => !running(worker), 5000);
    assert.ok(client.alive, 'the server waits for exit');
  });
});
