/**
 * A bounded soak of the real server over stdio: thousands of random edits, saves and
 * configuration changes. It must keep answering, its memory must stay bounded (the growth is
 * reported), and no worker process may outlive the checks.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeTempDirs, writeFiles } from '../helpers';
import { customer, repo } from '../e2e/featureRepo';
import { prng } from '../e2e/snapshotFiles';
import { LspTestClient } from './lspClient';

const EDITS = Number(process.env.FEATUREGUARD_SOAK_EDITS ?? 2000);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The server's worker processes (esbuild's long-lived service process is not one). */
function workers(pid: number): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-P', String(pid)], { encoding: 'utf8' }).trim().split('\n').filter((l) => l && !/esbuild/.test(l));
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

describe('language server soak', function () {
  this.timeout(300000);
  let client: LspTestClient | undefined;
  after(async () => {
    await client?.close();
    removeTempDirs();
  });

  it(`stays up and bounded through ${EDITS} random edits, saves and configuration changes`, async () => {
    const root = repo();
    client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 30 } });
    await client.initialize();
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    client.open(uri, customer);
    await client.waitFor('the first status', () => client!.statuses.some((s) => s.state === 'idle'));
    const rssStart = rssMb(client.pid);

    const rand = prng(7);
    const variants = ['return row.spend;', 'return row.spend * 2;', 'return (row.spend - 100) / 50;', 'return row.spend +;', 'while (true) {}', 'return null;', 'return String(row.spend);'];
    let text = customer;
    let current = variants[0];
    let rssPeak = rssStart;
    for (let i = 0; i < EDITS; i++) {
      const r = rand();
      if (r < 0.9) {
        const next = variants[Math.floor(rand() * variants.length)];
        text = client.edit(uri, text, current, next);
        current = next;
      } else if (r < 0.97) {
        writeFiles(root, { 'src/features/customer.ts': text });
        client.save(uri);
      } else {
        client.settings = { runDataChecks: rand() < 0.5 ? 'onType' : 'onSave', dataCheckDelayMs: Math.floor(rand() * 60) };
        void client.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      }
      if (i % 100 === 0) {
        // It keeps answering requests while edits pour in.
        const lenses = await client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
        assert.ok(Array.isArray(lenses));
        rssPeak = Math.max(rssPeak, rssMb(client.pid));
      }
    }
    // Settle on the story's edit and let the checks finish.
    text = client.edit(uri, text, current, 'return (row.spend - 100) / 50;');
    client.settings = { runDataChecks: 'onType', dataCheckDelayMs: 30 };
    const result: any = await client.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
    assert.equal(result.errors, 2, 'the server still computes the right answer');
    await client.waitFor('no worker processes left', () => workers(client!.pid).length === 0, 30000);
    assert.ok(client.alive);
    const rssEnd = rssMb(client.pid);
    console.log(`      soak: ${EDITS} edits; server RSS ${rssStart.toFixed(0)} MB → peak ${rssPeak.toFixed(0)} MB → end ${rssEnd.toFixed(0)} MB`);
    assert.ok(rssEnd < rssStart + 300, `memory grew from ${rssStart.toFixed(0)} MB to ${rssEnd.toFixed(0)} MB`);
  });
});
