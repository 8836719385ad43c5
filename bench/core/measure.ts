/**
 * Measuring whole processes for the benchmarks: wall time, peak RSS (GNU time, /proc), medians and
 * percentiles, and the figures' formatting. Shared by every family.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CLI, TIME } from './paths';
import type { ProcessRun, SampledRun } from './types';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

export const hasTime = existsSync(TIME);

export interface RunOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

/** The 1-minute load average now (other jobs share this machine). */
export function loadNow(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ')[0];
  } catch {
    return '?';
  }
}

/**
 * The command line that runs `cmd` under /usr/bin/time (when present) writing its peak RSS and CPU
 * time to a file (read by `timedResult`).
 */
export function timedArgv(cmd: string, args: string[]): { argv: string[]; rssFile: string | undefined } {
  if (!hasTime) return { argv: [cmd, ...args], rssFile: undefined };
  const rssFile = join(mkdtempSync(join(tmpdir(), 'fg-bench-')), 'rss');
  return { argv: [TIME, '-f', '%M %U %S', '-o', rssFile, cmd, ...args], rssFile };
}

/**
 * What /usr/bin/time wrote: `rssKB`, the peak RSS of the largest single process, and `cpuMs`, the
 * user + system CPU time of the process and of every descendant it waited for (a CLI's workers).
 */
function timedResult(rssFile: string | undefined): { rssKB?: number; cpuMs?: number } {
  if (!rssFile) return {};
  const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
  rmSync(dirname(rssFile), { recursive: true, force: true });
  const [kb, user, sys] = lines[lines.length - 1].split(' ').map(Number);
  return { rssKB: kb, cpuMs: Number.isFinite(user + sys) ? (user + sys) * 1000 : undefined };
}

/** One untimed `featureguard impact` over the workspace as it is now, so the summary cache holds this tree. */
export function fillSummaryCache(ws: string): void {
  const r = runProcess(process.execPath, [CLI, 'impact', '--format', 'json'], { cwd: ws });
  if (r.status !== 0) throw new Error(`featureguard impact: exit ${r.status}\n${r.stderr}`);
}

/**
 * Runs a whole process once: wall time (ms, measured here), peak RSS (KB) and CPU time (ms, with
 * its waited-for descendants) from /usr/bin/time when present, exit code, stdout, stderr.
 */
export function runProcess(cmd: string, args: string[], { cwd, env }: RunOptions = {}): ProcessRun {
  const { argv, rssFile } = timedArgv(cmd, args);
  const t0 = performance.now();
  const r = spawnSync(argv[0], argv.slice(1), { cwd, env: env ?? process.env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  const { rssKB, cpuMs } = timedResult(rssFile);
  if (r.error) throw r.error;
  return { ms, rssKB, cpuMs, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The pids of a process's descendants (from /proc/PID/task/TID/children). */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const stack = [pid];
  while (stack.length) {
    const p = stack.pop()!;
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        for (const c of readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean)) out.push(Number(c)), stack.push(Number(c));
      } catch {
        // gone
      }
    }
  }
  return out;
}

/**
 * `runProcess`, asynchronously (in `env`, default this process's), sampling the process tree every 50 ms: `treeKB`, the peak of the
 * summed RSS of the command and every process it started (the CLI and its workers at once), and
 * `mainKB`, the peak RSS (VmHWM) of the command's own process as last seen. Wall time and `rssKB`
 * (/usr/bin/time) as in `runProcess`.
 */
export async function runProcessSampled(cmd: string, args: string[], { cwd, env }: RunOptions = {}): Promise<SampledRun> {
  const { argv, rssFile } = timedArgv(cmd, args);
  const t0 = performance.now();
  const child = spawn(argv[0], argv.slice(1), { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [], err: Buffer[] = [];
  child.stdout.on('data', (d) => out.push(d));
  child.stderr.on('data', (d) => err.push(d));
  let treeKB = 0, mainKB = 0;
  const sample = () => {
    const pids = descendants(child.pid!);
    const main = hasTime ? pids[0] : child.pid;
    let sum = 0;
    for (const pid of hasTime ? pids : [child.pid!, ...pids]) {
      const m = procMemory(pid);
      if (m.rssKB) sum += m.rssKB;
      if (pid === main && m.hwmKB) mainKB = Math.max(mainKB, m.hwmKB);
    }
    treeKB = Math.max(treeKB, sum);
  };
  const timer = setInterval(sample, 50);
  const [status] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve([code, signal]));
  });
  clearInterval(timer);
  const ms = performance.now() - t0;
  const { rssKB, cpuMs } = timedResult(rssFile);
  return { ms, rssKB, cpuMs, treeKB, mainKB, status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
}

/** `runs` whole-process runs (in `env`, default this process's), `before()` ahead of each (not timed). Fails on an unexpected exit code. */
export function measureProcess(label: string, cmd: string, args: string[], { cwd, env, runs, before, okStatus = [0] }: RunOptions & { runs: number; before?: () => void; okStatus?: (number | null)[] }): ProcessRun[] {
  const samples: ProcessRun[] = [];
  for (let i = 0; i < runs; i++) {
    before?.();
    const r = runProcess(cmd, args, { cwd, env });
    if (!okStatus.includes(r.status)) throw new Error(`${label}: exit ${r.status}\n${r.stderr}${r.stdout.slice(0, 2000)}`);
    samples.push(r);
  }
  return samples;
}


export const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(1)} ms`);
export const fmtMB = (kb: number): string => `${(kb / 1024).toFixed(0)} MB`;
export const fmtCount = (n: number): string => (n >= 1e6 && n % 1e6 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 1e3 === 0 ? `${n / 1e3}k` : String(n));

/** Peak and current RSS of a process in KB, from /proc/PID/status. */
export function procMemory(pid: number): { hwmKB?: number; rssKB?: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    return { hwmKB: kb('VmHWM'), rssKB: kb('VmRSS') };
  } catch {
    return {};
  }
}
