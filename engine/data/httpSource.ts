/**
 * A snapshot at an `https://` or `http://` URL (public, or presigned), read by byte ranges only. A
 * HEAD request gives its size and version (ETag, else Last-Modified); a server that refuses HEAD
 * (a URL presigned for GET) is asked for its first byte instead. Every read is a `Range` GET that
 * must answer 206: a server that answers 200 would send the whole file, so that is an error.
 */
import { UserError } from '../errors';
import type { RangeSource } from './rangeSource';

/** How long one request may take before it is abandoned. */
export const HTTP_TIMEOUT_MS = 30_000;

export async function openHttp(url: string): Promise<RangeSource> {
  let res = await request(url, 'HEAD');
  let size: number;
  if (res.status === 403 || res.status === 405 || res.status === 501) {
    // A presigned GET URL is refused for HEAD: its first byte tells the same.
    res = await request(url, 'GET', 'bytes=0-0');
    await res.arrayBuffer().catch(() => undefined);
    checkStatus(url, res, true);
    size = Number(/\/(\d+)$/.exec(res.headers.get('content-range') ?? '')?.[1] ?? NaN);
  } else {
    checkStatus(url, res, false);
    size = Number(res.headers.get('content-length') ?? NaN);
  }
  if (!Number.isSafeInteger(size)) throw new UserError(`${url}: the server did not tell the file's size (no Content-Length): FeatureGuard reads remote snapshots by ranges only`);
  const validator = res.headers.get('etag') ?? res.headers.get('last-modified');
  return {
    display: url,
    size,
    // Without a validator the content cannot be told unchanged, so nothing is reused across runs.
    version: validator ? `${validator}|${size}` : '',
    remote: true,
    async read(start, end) {
      const r = await request(url, 'GET', `bytes=${start}-${end - 1}`);
      if (r.status === 200) {
        await r.body?.cancel().catch(() => undefined);
        throw noRanges(url);
      }
      checkStatus(url, r, true);
      const bytes = new Uint8Array(await r.arrayBuffer());
      if (bytes.length !== end - start) throw new UserError(`${url}: the server sent ${bytes.length} bytes for a range of ${end - start}: check the server`);
      return bytes;
    },
    async close() {},
  };
}

async function request(url: string, method: 'HEAD' | 'GET', range?: string): Promise<Response> {
  try {
    return await fetch(url, { method, headers: range ? { Range: range } : {}, signal: AbortSignal.timeout(HTTP_TIMEOUT_MS), redirect: 'follow' });
  } catch (err) {
    const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      throw new UserError(`${url}: no answer within ${HTTP_TIMEOUT_MS / 1000} s: check the network and the server, or copy the snapshot into the repository`, err);
    }
    const reason = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
    throw new UserError(`${url}: cannot connect (${reason}): check the URL and the network`, err);
  }
}

function checkStatus(url: string, res: Response, ranged: boolean): void {
  if (ranged && res.status === 200) throw noRanges(url);
  if (res.status === 200 || res.status === 206) return;
  if (res.status === 404) throw new UserError(`${url}: not found (HTTP 404): check the snapshot URL`);
  if (res.status === 401 || res.status === 403) {
    throw new UserError(`${url}: access denied (HTTP ${res.status}): check that the URL is public, or presign it again (a presigned URL expires)`);
  }
  if (res.status === 416) throw new UserError(`${url}: the server refused a byte range (HTTP 416): the file changed while it was read; run again`);
  throw new UserError(`${url}: the server answered HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}: check the URL and the server`);
}

function noRanges(url: string): UserError {
  return new UserError(`${url}: the server does not support range requests (it answered 200 to a Range request): serve the file from a server that does, or copy it into the repository`);
}
