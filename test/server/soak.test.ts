/**
 * A bounded soak of the real server over stdio: thousands of random edits, saves, settings
 * changes and featureguard.json rewrites (some broken), paced so that debounced data checks start and are cancelled mid-run. It
 * must keep answering, its memory must stay bounded after warm-up (the growth is reported), and
 * no worker process may outlive the checks.
 *
 * `npm test` runs 2,000 edits; `FG_SOAK_EDITS=50000 npx mocha out/test/server/soak.test.js` runs a
 * longer soak with the same assertions.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { removeTempDirs, writeFiles } from '../helpers';
import { customer, repo } from '../e2e/featureRepo';
import { prng } from '../e2e/snapshotFiles';
import { LspTestClient } from './lspClient';

const EDITS = Number(process.env.FG_SOAK_EDITS ?? process.env.FEATUREGUARD_SOAK_EDITS ?? 2000);
/** Edits before the baseline: the compiler loaded, the snapshot read, caches and JIT warm. */
const WARMUP = Math.min(300, Math.floor(EDITS / 5));
/** Allowed server RSS growth from the end of warm-up to the end of the soak. */
const GROWTH_BOUND_MB = 150;

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The server's child processes, as "pid command" (the command cut short: a worker's is its whole source). */
function children(pid: number): string[] {
  try {
    return execFileSync('pgrep', ['-a', '-P', String(pid)], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.slice(0, 120));
  } catch {
    return []; // pgrep exits 1 when there is none
  }
}

/** Worker processes running feature code (started with a heap limit); esbuild's service and git are not. */
const workers = (pid: number) => children(pid).filter((l) => /--max-old-space-size=/.test(l));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('language server soak', function () {
  this.timeout(120000 + EDITS * 50);
  let client: LspTestClient | undefined;
  after(async () => {
    await client?.close();
    removeTempDirs();
  });

  it(`stays up and bounded through ${EDITS} random edits, saves and configuration changes`, async () => {
    const root = repo();
    client = new LspTestClient({ rootUri: pathToFileURL(root).href, settings: { runDataChecks: 'onType', dataCheckDelayMs: 30 } });
    await client.initialize();
    const c = client;
    const uri = pathToFileURL(join(root, 'src/features/customer.ts')).href;
    c.open(uri, customer);
    await c.waitFor('the first status', () => c.statuses.some((s) => s.state === 'idle'));
    const rssStart = rssMb(c.pid);

    /** Runs every check to completion and waits for the workers to exit: the state each measurement is taken in. */
    const settle = async () => {
      c.settings = { runDataChecks: 'onType', dataCheckDelayMs: 30 };
      const result: any = await c.connection.sendRequest('workspace/executeCommand', { command: 'featureguard.runChecks', arguments: [] });
      await c.waitFor('no worker processes left', () => workers(c.pid).length === 0, 30000).catch(() => undefined);
      return result;
    };

    const configUri = pathToFileURL(join(root, 'featureguard.json')).href;
    const goodConfig = readFileSync(join(root, 'featureguard.json'), 'utf8');
    const configVariants = [
      goodConfig,
      goodConfig.replace('"snapshots"', '"snapshotz": {},\n  "snapshots"'), // an unknown key: a warning
      goodConfig.replace('"snapshot": "c"', '"snapshot": "nope"'), // an unknown snapshot: an error
      goodConfig.slice(0, goodConfig.length >> 1), // half-written JSON
    ];
    assert.equal(new Set(configVariants).size, configVariants.length, 'each config variant differs');
    /**
     * Rewrites featureguard.json, as an editor saving it would (to a temporary file, then renamed:
     * a server re-reading the file for an earlier change must not catch it half-written), and tells
     * the server.
     */
    const writeConfig = (content: string) => {
      writeFileSync(join(root, 'featureguard.json.tmp'), content);
      renameSync(join(root, 'featureguard.json.tmp'), join(root, 'featureguard.json'));
      void c.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: configUri, type: 2 }] });
    };
    let configWrites = 0;

    const rand = prng(7);
    const variants = ['return row.spend;', 'return row.spend * 2;', 'return (row.spend - 100) / 50;', 'return row.spend +;', 'while (true) {}', 'return null;', 'return String(row.spend);'];
    let text = customer;
    let current = variants[0];
    let rssWarm = NaN;
    let rssPeak = rssStart;
    let workersPeak = 0;
    let requests = 0;
    for (let i = 0; i < EDITS; i++) {
      if (i === WARMUP) {
        await settle();
        rssWarm = rssMb(c.pid);
      }
      const r = rand();
      if (r < 0.9) {
        const next = variants[Math.floor(rand() * variants.length)];
        text = c.edit(uri, text, current, next);
        current = next;
      } else if (r < 0.97) {
        writeFiles(root, { 'src/features/customer.ts': text });
        c.save(uri);
      } else if (r < 0.99) {
        c.settings = { runDataChecks: rand() < 0.5 ? 'onType' : 'onSave', dataCheckDelayMs: Math.floor(rand() * 60) };
        void c.connection.sendNotification('workspace/didChangeConfiguration', { settings: {} });
      } else {
        writeConfig(configVariants[Math.floor(rand() * configVariants.length)]);
        configWrites++;
      }
      // Pauses longer than the debounce let data checks start, and the next edit cancel them.
      if (i % 20 === 0) await sleep(Math.floor(rand() * 80));
      if (i % 100 === 0) {
        // It keeps answering requests while edits pour in.
        const lenses = await c.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } });
        assert.ok(Array.isArray(lenses));
        requests++;
        rssPeak = Math.max(rssPeak, rssMb(c.pid));
        workersPeak = Math.max(workersPeak, workers(c.pid).length);
      }
    }
    // A broken config is reported with its one-line message, and fixing it brings the checks back.
    const seen = c.statuses.length;
    writeConfig(configVariants[2]);
    // Notifications of the last random rewrites may still be in flight: wait for this one's status.
    const expected = 'featureguard.json: features.recency.snapshot unknown snapshot "nope" (known: c)';
    const broken = await c.waitFor(`the config error "${expected}"`, () => c.statuses.slice(seen).find((st) => st.state === 'error' && st.message === expected));
    assert.equal(broken.message, expected);
    // Settle on a valid config and the story's edit, and let the checks finish.
    writeConfig(goodConfig);
    text = c.edit(uri, text, current, 'return (row.spend - 100) / 50;');
    const result = await settle();
    assert.equal(result.errors, 2, 'the server still computes the right answer');
    assert.ok(c.alive, 'the server is still running');
    const rssEnd = rssMb(c.pid);
    const left = workers(c.pid);
    const growth = rssEnd - rssWarm;
    console.log(
      `      soak: ${EDITS} edits (${configWrites} featureguard.json rewrites), ${requests} code lens requests answered; server RSS start ${rssStart.toFixed(0)} MB, ` +
        `after ${WARMUP} warm-up edits ${rssWarm.toFixed(0)} MB, peak ${rssPeak.toFixed(0)} MB, end ${rssEnd.toFixed(0)} MB ` +
        `(growth after warm-up ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB); workers: at most ${workersPeak} at once, ${left.length} left` +
        (left.length ? `: ${left.join('; ')}` : ''),
    );
    assert.deepEqual(left, [], 'no worker process outlives the checks');
    assert.ok(growth < GROWTH_BOUND_MB, `server RSS grew ${growth.toFixed(0)} MB after warm-up (from ${rssWarm.toFixed(0)} MB to ${rssEnd.toFixed(0)} MB)`);
  });
});
