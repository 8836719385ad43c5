/**
 * Runs ONNX models in a worker process (`modelWorker.ts`) with the limits feature code has: a time
 * budget per request and a memory limit on the process (its resident size, read from /proc, since
 * ONNX Runtime's memory is native; V8's heap is capped as well). A model that crashes the runtime,
 * runs too long or grows too big ends the worker — the next request starts a fresh one — and is a
 * `ModelFailure` for its caller. Sessions stay open in the worker between runs, one per model file
 * version: the language server keeps one host for the folder, the CLI one per run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelInfo, WireTensor, WorkerReply, WorkerRequest } from './modelProtocol';
import { noteFallback } from '../nativeFallbacks';

declare const __FEATUREGUARD_MODEL_WORKER__: string;

export interface ModelLimits {
  timeoutMs: number;
  memoryMb: number;
}

/** Why a model could not be loaded or run, in one line for a `model.input` finding. */
export class ModelFailure extends Error {
  constructor(message: string, readonly reason: 'missing' | 'too-big' | 'timeout' | 'memory' | 'crash' | 'invalid' | 'cancelled') {
    super(message);
  }
}

/**
 * Loading a model takes about 2.3× its file size at the peak (measured: a 200 MB model, 469 MB
 * resident); a file bigger than the memory limit over this factor is refused before it is read.
 */
const LOAD_FACTOR = 3;

/** Runs the source read from stdin as a CommonJS module. */
const LOADER = "const m=require('module');require('vm').runInThisContext(m.wrap(require('fs').readFileSync(0,'utf8')))(exports,require,module,__filename,__dirname)";

/** How often the worker's resident size is read. */
const MEMORY_POLL_MS = 25;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export class ModelHost {
  private child?: ChildProcess;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** Loaded models by file version (path, size, modification time). */
  private readonly loaded = new Map<string, Promise<ModelInfo>>();
  private poll?: NodeJS.Timeout;
  private stderr = '';

  constructor(private readonly cwd: string) {}

  /** Opens the model at `absPath` (shown as `display`), or returns the session already open. */
  async load(absPath: string, display: string, limits: ModelLimits, signal?: AbortSignal): Promise<{ key: string; info: ModelInfo }> {
    let size: number;
    let mtime: number;
    try {
      const st = statSync(absPath);
      if (!st.isFile()) throw new Error('not a file');
      size = st.size;
      mtime = st.mtimeMs;
    } catch {
      throw new ModelFailure(`file not found: ${display}`, 'missing');
    }
    const needMb = (size * LOAD_FACTOR) / 2 ** 20;
    if (needMb > limits.memoryMb) {
      throw new ModelFailure(`${display} is ${Math.round(size / 2 ** 20)} MB: loading it takes about ${Math.round(needMb)} MB, more than the ${limits.memoryMb} MB memory limit for user code`, 'too-big');
    }
    const key = `${absPath}\0${size}\0${mtime}`;
    let info = this.loaded.get(key);
    if (!info) {
      info = this.request<ModelInfo>({ op: 'load', key, path: absPath }, limits, signal, 'loading');
      this.loaded.set(key, info);
      info.catch(() => this.loaded.get(key) === info && this.loaded.delete(key));
    }
    return { key, info: await info };
  }

  /** Runs each feed set through the loaded model `key`, fetching `fetch`. */
  run(key: string, feedSets: WireTensor[][], fetch: string[], limits: ModelLimits, signal?: AbortSignal): Promise<Record<string, WireTensor>[]> {
    return this.request({ op: 'run', key, feedSets, fetch }, limits, signal, 'running');
  }

  /**
   * Starts the worker now, so that its start-up (Node, ONNX Runtime) overlaps other work — the
   * CLI's impact analysis runs on one core while the other is idle.
   */
  warm(limits: ModelLimits): void {
    try {
      this.worker(limits);
    } catch {
      // Said by the first request (a model.input finding).
    }
  }

  /** Ends the worker (and every session in it). */
  close(): void {
    this.stop(new ModelFailure('the model worker was closed', 'cancelled'));
  }

  private request<T>(body: DistributiveOmit<WorkerRequest, 'id'>, limits: ModelLimits, signal: AbortSignal | undefined, doing: string): Promise<T> {
    if (signal?.aborted) return Promise.reject(new ModelFailure('the check was cancelled', 'cancelled'));
    const child = this.worker(limits);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => this.stop(new ModelFailure('the check was cancelled', 'cancelled'));
      signal?.addEventListener('abort', onAbort, { once: true });
      const timer = setTimeout(() => this.stop(new ModelFailure(`${doing} it took longer than ${limits.timeoutMs} ms (timeoutMs)`, 'timeout')), Math.min(limits.timeoutMs, 2 ** 31 - 1));
      this.pending.set(id, {
        resolve: (v) => (signal?.removeEventListener('abort', onAbort), resolve(v as T)),
        reject: (e) => (signal?.removeEventListener('abort', onAbort), reject(e)),
        timer,
      });
      child.send({ ...body, id } as WorkerRequest);
    });
  }

  private worker(limits: ModelLimits): ChildProcess {
    if (this.child) return this.child;
    // The worker's source (ONNX's protobuf reader bundled in) is longer than one argument may be:
    // a small loader reads it from stdin.
    const child = spawn(process.execPath, [`--max-old-space-size=${limits.memoryMb}`, '-e', LOADER], {
      cwd: this.cwd,
      stdio: ['pipe', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
      env: { ...process.env, NODE_OPTIONS: '', FEATUREGUARD_ORT: onnxRuntimePath() },
    });
    this.child = child;
    this.stderr = '';
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(workerSource());
    child.stderr?.on('data', (d: Buffer) => (this.stderr = (this.stderr + d.toString()).slice(-4096)));
    child.on('message', (reply: WorkerReply) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      clearTimeout(p.timer);
      if (reply.ok) p.resolve(reply.value);
      else p.reject(new ModelFailure(reply.message, 'invalid'));
    });
    child.on('error', (err) => this.child === child && this.stop(new ModelFailure(`the model worker failed to start: ${err.message}`, 'crash')));
    child.on('exit', (code, sig) => {
      if (this.child !== child) return;
      const last = this.stderr.trim().split('\n').pop() ?? '';
      this.stop(new ModelFailure(`the model worker ended (${sig ?? `exit code ${code}`})${last ? `: ${last}` : ''}`, 'crash'));
    });
    // A long-lived host (the language server's) must not keep the process alive by itself.
    child.unref();
    (child.channel as { unref?: () => void } | undefined)?.unref?.();
    (child.stderr as { unref?: () => void } | null)?.unref?.();
    this.poll = setInterval(() => {
      const mb = residentMb(child.pid);
      if (mb !== undefined && mb > limits.memoryMb) this.stop(new ModelFailure(`it used more than the ${limits.memoryMb} MB memory limit for user code`, 'memory'));
    }, MEMORY_POLL_MS);
    this.poll.unref();
    return child;
  }

  /** Kills the worker, failing every pending request with `failure`. */
  private stop(failure: ModelFailure): void {
    const child = this.child;
    this.child = undefined;
    clearInterval(this.poll);
    this.loaded.clear();
    if (child && child.exitCode === null) child.kill('SIGKILL');
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) {
      clearTimeout(p.timer);
      p.reject(failure);
    }
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

/** The worker's resident set in MB (Linux), or undefined where /proc is not there. */
function residentMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const pages = Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]);
    return (pages * 4096) / 2 ** 20;
  } catch {
    return undefined;
  }
}

/** ONNX Runtime's entry, resolved from beside this bundle (the worker runs from a string). */
/**
 * ONNX Runtime's entry, resolved from beside this bundle (the worker runs from a string): the native
 * `onnxruntime-node` when its binding for this platform is installed (the VSIX of a platform carries
 * its own only), else `onnxruntime-web` — the same API on WebAssembly, slower — as in the universal
 * VSIX; neither is one line naming the platform.
 */
function onnxRuntimePath(): string {
  const platform = `${process.platform}-${process.arch}`;
  if (process.env.FEATUREGUARD_FORCE_WASM !== '1') {
    try {
      const entry = require.resolve('onnxruntime-node');
      if (existsSync(join(entry, '..', '..', 'bin', 'napi-v6', process.platform, process.arch, 'onnxruntime_binding.node'))) return entry;
    } catch {
      // Not installed: the WebAssembly build below, if present.
    }
  }
  try {
    const entry = require.resolve('onnxruntime-web');
    noteFallback(`ONNX Runtime's native binding for ${platform} is not installed: running models with onnxruntime-web (WebAssembly), the slower fallback`);
    return entry;
  } catch {
    throw new ModelFailure(`ONNX Runtime has no binding for ${platform} in this installation (neither onnxruntime-node's nor onnxruntime-web): models are not checked on this platform`, 'crash');
  }
}

function workerSource(): string {
  if (typeof __FEATUREGUARD_MODEL_WORKER__ === 'string') return __FEATUREGUARD_MODEL_WORKER__;
  throw new Error('the model worker source was not bundled (build with esbuild.mjs)');
}
