/**
 * The benchmarks' language client: `featureguard lsp --stdio` (the copied dist/cli.js) spoken to
 * over a real JSON-RPC connection, and the keystroke measurement both workspaces share.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { withConstantValue } from './edits';
import { expectedImpact } from '../generators/generateWorkspace';
import { procMemory } from './measure';
import { CLI } from './paths';
import type { MessageConnection } from 'vscode-jsonrpc';
import type { MetaConstant, Row, SectionContext, WorkspaceMeta } from './types';

/** A diagnostic as the server publishes it (the fields the bench reads). */
export interface Diagnostic {
  source?: string;
  code?: string | number;
  message: string | { value: string };
}

/** What the server pushed, time-stamped on arrival (`t`, performance.now()). */
export type ServerEvent =
  | { type: 'diagnostics'; uri: string; diagnostics: Diagnostic[]; t: number }
  | { type: 'status'; state?: string; message?: string; t: number; [k: string]: unknown }
  | { type: 'exit'; t: number };
type Waiter = (event: ServerEvent) => void;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const messageOf = (d: Diagnostic): string => (typeof d.message === 'string' ? d.message : d.message?.value ?? '');

/**
 * A language client for measuring: spawns `featureguard lsp --stdio` (the copied dist/cli.js) and
 * speaks JSON-RPC with vscode-jsonrpc, like an editor. Every pushed diagnostic and status is
 * time-stamped on arrival; `next` waits for the first one after the call that satisfies a predicate.
 */
export class LspBenchServer {
  readonly ws: string;
  readonly settings: unknown;
  readonly rootUri: string;
  readonly logs: string[] = [];
  private readonly waiters = new Set<Waiter>();
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private readonly spawnedAt: number;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly exited: Promise<void>;
  private readonly connection: MessageConnection;
  private gone: string | undefined;
  /** Start → the first idle status (ms). */
  readyMs = NaN;

  /** `env`: the server's environment (default: the bench's own, with its results-cache bound 0). */
  static async start(ws: string, settings: unknown, env?: NodeJS.ProcessEnv): Promise<LspBenchServer> {
    const server = new LspBenchServer(ws, settings, env);
    try {
      await server.initialize();
    } catch (err) {
      await server.close();
      throw err;
    }
    return server;
  }

  constructor(ws: string, settings: unknown, env?: NodeJS.ProcessEnv) {
    const { createMessageConnection, StreamMessageReader, StreamMessageWriter } = require('vscode-jsonrpc/node') as typeof import('vscode-jsonrpc/node');
    this.ws = ws;
    this.settings = settings;
    this.rootUri = pathToFileURL(ws).href;
    this.spawnedAt = performance.now();
    // FG_BENCH_SERVER_NODE_ARGS: extra node flags for the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    const nodeArgs = (process.env.FG_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
    this.child = spawn(process.execPath, [...nodeArgs, CLI, 'lsp', '--stdio'], { cwd: ws, env: env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (d) => this.logs.push(String(d)));
    this.exited = new Promise<void>((resolve) => this.child.on('exit', (code, signal) => {
      this.gone = `exited (code ${code}, signal ${signal})`;
      this.emit({ type: 'exit' });
      resolve();
    }));
    const c = (this.connection = createMessageConnection(new StreamMessageReader(this.child.stdout), new StreamMessageWriter(this.child.stdin)));
    c.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: Diagnostic[] }) => this.emit({ type: 'diagnostics', uri: p.uri, diagnostics: p.diagnostics.filter((d) => d.source === 'featureguard') }));
    c.onNotification('featureguard/status', (p: Record<string, unknown>) => this.emit({ type: 'status', ...p }));
    c.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(`${p.message}\n`);
    });
    c.onRequest('workspace/configuration', (p: { items: unknown[] }) => p.items.map(() => this.settings));
    c.onRequest('window/workDoneProgress/create', () => null);
    c.onRequest('client/registerCapability', () => null);
    c.onRequest('workspace/codeLens/refresh', () => null);
    c.onNotification('$/progress', () => undefined);
    c.onError(() => undefined);
    c.listen();
  }

  private emit(event: DistributiveOmit<ServerEvent, 't'>): void {
    const stamped = { ...event, t: performance.now() } as ServerEvent;
    for (const w of [...this.waiters]) w(stamped);
  }

  /** The first event from now on that satisfies `predicate` (with its arrival time `t`); fails after `ms`. */
  next<E extends ServerEvent = ServerEvent>(what: string, predicate: (e: ServerEvent) => boolean, ms = 60_000): Promise<E> {
    return new Promise<E>((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      const waiter = (e: ServerEvent) => {
        if (e.type === 'exit') {
          done();
          reject(new Error(`the server ${this.gone} while waiting for ${what}`));
        } else if (predicate(e)) {
          done();
          resolve(e as E);
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
      }, ms);
      this.waiters.add(waiter);
    });
  }

  async initialize(): Promise<void> {
    // The folder's first run (at start-up, no edit) ends with an idle status.
    const ready = this.next<Extract<ServerEvent, { type: 'status' }>>('the first idle status', (e) => e.type === 'status' && (e.state === 'idle' || e.state === 'error'), 300_000);
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: this.rootUri,
      workspaceFolders: [{ uri: this.rootUri, name: 'bench' }],
      capabilities: {
        workspace: { configuration: true, workspaceFolders: true, didChangeConfiguration: { dynamicRegistration: true } },
        window: { workDoneProgress: true },
        textDocument: { publishDiagnostics: {}, synchronization: { didSave: true } },
      },
      initializationOptions: { trusted: true },
    });
    await this.connection.sendNotification('initialized', {});
    const status = await ready;
    if (status.state !== 'idle') throw new Error(`server start: status ${status.state}: ${status.message}`);
    this.readyMs = status.t - this.spawnedAt;
  }

  uriOf(rel: string): string {
    return pathToFileURL(join(this.ws, rel)).href;
  }

  open(rel: string, text: string): void {
    this.versions.set(rel, 1);
    this.texts.set(rel, text);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: this.uriOf(rel), languageId: rel.endsWith('.py') ? 'python' : 'typescript', version: 1, text } });
  }

  /** Sends the change from the current buffer to `text` as one incremental edit (the differing span). */
  change(rel: string, text: string): void {
    const old = this.texts.get(rel) ?? '';
    let start = 0;
    while (start < old.length && start < text.length && old[start] === text[start]) start++;
    let endOld = old.length, endNew = text.length;
    while (endOld > start && endNew > start && old[endOld - 1] === text[endNew - 1]) endOld--, endNew--;
    const pos = (o: number) => {
      const before = old.slice(0, o);
      const line = before.split('\n').length - 1;
      return { line, character: o - (before.lastIndexOf('\n') + 1) };
    };
    const version = (this.versions.get(rel) ?? 0) + 1;
    this.versions.set(rel, version);
    this.texts.set(rel, text);
    void this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: this.uriOf(rel), version },
      contentChanges: [{ range: { start: pos(start), end: pos(endOld) }, text: text.slice(start, endNew) }],
    });
  }

  save(rel: string): void {
    void this.connection.sendNotification('textDocument/didSave', { textDocument: { uri: this.uriOf(rel) } });
  }

  /** A request to the server (e.g. `featureguard/reports`). */
  request<R>(method: string, params?: unknown): Promise<R> {
    return params === undefined ? this.connection.sendRequest<R>(method) : this.connection.sendRequest<R>(method, params);
  }

  memory(): { hwmKB?: number; rssKB?: number } {
    return procMemory(this.child.pid!);
  }

  async close(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), sleep(5000)]);
        void this.connection.sendNotification('exit');
      } catch {
        // already gone
      }
      await Promise.race([this.exited, sleep(5000)]);
      if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    }
    this.connection.dispose();
  }
}

/**
 * A module whose constants each reach at least one feature, two or more of them: the keystrokes
 * edit them in turn, so every edit changes the impact diagnostic ("Edit to NAME reaches …").
 * The module of the benchmark's main edit when it qualifies (a layer-0 leaf: the longest chains).
 */
export function keystrokeModule(meta: WorkspaceMeta, mainEdit: MetaConstant): { path: string; constants: MetaConstant[] } {
  const byPath = new Map<string, MetaConstant[]>();
  for (const c of meta.constants) {
    if (expectedImpact(meta, c.id).length === 0) continue;
    if (!byPath.has(c.path)) byPath.set(c.path, []);
    byPath.get(c.path)!.push(c);
  }
  const ok = [...byPath].filter(([, cs]) => cs.length >= 2);
  if (ok.length === 0) throw new Error('no module with two constants that reach a feature');
  const main = ok.find(([p]) => p === mainEdit.path);
  const reach = (cs: MetaConstant[]) => cs.reduce((n, c) => n + expectedImpact(meta, c.id).length, 0);
  const [path, constants] = main ?? ok.sort((a, b) => reach(b[1]) - reach(a[1]))[0];
  return { path, constants };
}

/**
 * Keystrokes: one small edit at a time (a constant's literal; the previously edited one restored
 * in the same change), each timed from didChange to the publishDiagnostics whose impact diagnostic
 * names it; `warmups` untimed first. Records `id` (p50/p95, the server's VmHWM) and checks every
 * diagnostic. Leaves the buffer as committed, its diagnostics cleared.
 */
export async function measureKeystrokes(ctx: SectionContext, server: LspBenchServer, { id, figure, label, warmups = 3 }: { id: string; figure: string; label: string; warmups?: number }): Promise<Row> {
  const { meta, opts } = ctx;
  const { path, constants } = keystrokeModule(meta, ctx.editConstant);
  const uri = server.uriOf(path);
  const original = readFileSync(join(ctx.ws, path), 'utf8');
  server.open(path, original);
  const samples: { ms: number }[] = [];
  const failures: string[] = [];
  for (let k = 0; k < warmups + opts.keystrokes; k++) {
    const c = constants[k % constants.length];
    const text = withConstantValue(original, c, () => (Number(c.value) * (1 + 0.01 * (k + 1))).toFixed(3));
    const reached = expectedImpact(meta, c.id).length;
    const expected = `Edit to ${c.name} reaches ${reached} feature${reached === 1 ? '' : 's'}:`;
    const published = server.next<Extract<ServerEvent, { type: 'diagnostics' }>>(`impact diagnostics of keystroke ${k + 1} (${c.name})`, (e) => e.type === 'diagnostics' && e.uri === uri && e.diagnostics.some((d) => d.code === 'impact' && messageOf(d).startsWith(`Edit to ${c.name} `)), 30_000);
    const t0 = performance.now();
    server.change(path, text);
    const e = await published;
    const impacts = e.diagnostics.filter((d) => d.code === 'impact').map(messageOf);
    if (impacts.length !== 1 || !impacts[0].startsWith(expected)) failures.push(`keystroke ${k + 1}: ${JSON.stringify(impacts).slice(0, 200)}, expected "${expected} …"`);
    if (k >= warmups) samples.push({ ms: e.t - t0 });
    await sleep(40 + (k % 5) * 10);
  }
  const row = ctx.record(id, figure, samples, { p95: true, rssKB: server.memory().hwmKB });
  ctx.check(label, failures.length === 0,
    `${opts.keystrokes} edits (+${warmups} warm-up) of ${constants.length} constants in ${path}, each reaching ${[...new Set(constants.map((c) => expectedImpact(meta, c.id).length))].join('/')} features: every impact diagnostic named the edited constant and its feature count${failures.length ? ' — ' + failures.slice(0, 3).join(' | ') : ''}`);
  const cleared = server.next('cleared diagnostics after undoing the keystrokes', (e) => e.type === 'diagnostics' && e.uri === uri && e.diagnostics.length === 0, 30_000);
  server.change(path, original);
  await cleared;
  return row;
}
