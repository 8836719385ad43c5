/**
 * Snapshots in S3 and S3-compatible stores (MinIO, R2, Ceph), through the official AWS SDK for
 * JavaScript v3, loaded on first use. Credentials come from AWS's standard chain (environment,
 * profile files, SSO, web identity, the instance's metadata service); `AWS_ENDPOINT_URL` (or
 * `AWS_ENDPOINT_URL_S3`) points at another store, addressed path-style, and `AWS_REGION` (or
 * `AWS_DEFAULT_REGION`) sets the region (default `us-east-1`). An `s3://bucket/key` is one object,
 * a prefix (a folder of parts) or a glob; objects are read by ranges only.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { UserError } from '../errors';
import type { DatasetStore, StoreEntry } from './datasetFiles';
import type { RangeSource } from './rangeSource';

export interface S3Location {
  bucket: string;
  key: string;
}

/** `s3://bucket/key` → bucket and key; undefined when it is not one. */
export function parseS3Url(url: string): S3Location | undefined {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(url);
  return m && m[1] ? { bucket: m[1], key: m[2] } : undefined;
}

type Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Sdk | undefined;

/**
 * The SDK, on first use: the bundles find it built beside them (dist/aws-s3.js), from source
 * (tests) it is the package. The require is indirect so that esbuild leaves it out of the bundles.
 */
function loadSdk(): Sdk {
  const beside = join(__dirname, 'aws-s3.js');
  const load = require;
  sdk ??= load(existsSync(beside) ? beside : '@aws-sdk/client-s3') as Sdk;
  return sdk;
}
let client: { key: string; client: S3Client } | undefined;

async function s3(): Promise<{ sdk: Sdk; client: S3Client }> {
  // The SDK's multi-line notice about Node versions would break the one-line stderr of a run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const loaded = loadSdk();
  const endpoint = process.env.AWS_ENDPOINT_URL_S3 || process.env.AWS_ENDPOINT_URL || undefined;
  const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || 'us-east-1';
  // A new client when the environment changes (the credential chain caches what it found).
  const key = [endpoint, region, process.env.AWS_ACCESS_KEY_ID, process.env.AWS_SECRET_ACCESS_KEY, process.env.AWS_PROFILE].join('|');
  if (client?.key !== key) {
    client = {
      key,
      client: new loaded.S3Client({
        region,
        ...(endpoint ? { endpoint, forcePathStyle: true } : {}),
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 10_000, requestTimeout: 30_000 },
      }),
    };
  }
  return { sdk: loaded, client: client.client };
}

/** The one-line error for anything the SDK threw while reading `url`. */
export function s3Error(url: string, err: unknown): UserError {
  if (err instanceof UserError) return err;
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; code?: string };
  const status = e?.$metadata?.httpStatusCode;
  const name = e?.name ?? '';
  if (name === 'CredentialsProviderError' || /credential/i.test(e?.message ?? '') && !status) {
    return new UserError(`${url}: no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or sign in (aws sso login)`, err);
  }
  if (name === 'NoSuchBucket') return new UserError(`${url}: the bucket does not exist (S3 404 NoSuchBucket): check the bucket name, AWS_ENDPOINT_URL and AWS_REGION`, err);
  if (status === 404 || name === 'NoSuchKey' || name === 'NotFound') return new UserError(`${url}: not found (S3 404): check the bucket and key`, err);
  if (status === 403 || name === 'AccessDenied' || name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch') {
    return new UserError(`${url}: access denied (S3 403${name && !['AccessDenied', 'Forbidden', 'Unknown', '403'].includes(name) ? ` ${name}` : ''}): check the credentials and that they may read it (s3:GetObject, s3:ListBucket)`, err);
  }
  if (name === 'TimeoutError' || name === 'RequestTimeout' || e?.code === 'ETIMEDOUT') {
    return new UserError(`${url}: no answer from S3 in time: check the network, AWS_ENDPOINT_URL and AWS_REGION`, err);
  }
  const reason = (e?.message || name || String(err)).replace(/\s+/g, ' ').slice(0, 200);
  return new UserError(`${url}: cannot read from S3 (${status ? `HTTP ${status}: ` : ''}${reason}): check AWS_ENDPOINT_URL, AWS_REGION and the credentials`, err);
}

/** One object, by its key, with the size and ETag a HEAD or a listing gave. */
export function s3ObjectSource(location: S3Location, size: number, etag: string, display: string): RangeSource {
  const url = `s3://${location.bucket}/${location.key}`;
  return {
    display,
    size,
    version: `${etag}|${size}`,
    remote: true,
    async read(start, end) {
      const { sdk: s, client: c } = await s3();
      try {
        const res = await c.send(new s.GetObjectCommand({ Bucket: location.bucket, Key: location.key, Range: `bytes=${start}-${end - 1}` }));
        if (!res.ContentRange) {
          await res.Body?.transformToByteArray().catch(() => undefined);
          throw new UserError(`${url}: the store does not support range requests (no Content-Range in its answer): use a store that does`);
        }
        const bytes = await res.Body!.transformToByteArray();
        if (bytes.length !== end - start) throw new UserError(`${url}: the store sent ${bytes.length} bytes for a range of ${end - start}: check the store`);
        return bytes;
      } catch (err) {
        throw s3Error(url, err);
      }
    },
    async close() {},
  };
}

/** HEAD of one object: its size and ETag, or undefined when there is no such key. */
export async function headS3(location: S3Location): Promise<{ size: number; etag: string } | undefined> {
  const url = `s3://${location.bucket}/${location.key}`;
  const { sdk: s, client: c } = await s3();
  try {
    const res = await c.send(new s.HeadObjectCommand({ Bucket: location.bucket, Key: location.key }));
    return { size: Number(res.ContentLength ?? 0), etag: res.ETag ?? res.LastModified?.toISOString() ?? '' };
  } catch (err) {
    const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
    if (e?.$metadata?.httpStatusCode === 404 || e?.name === 'NotFound' || e?.name === 'NoSuchKey') return undefined;
    throw s3Error(url, err);
  }
}

/** The objects under `prefix` (a folder, `/`-terminated, or '' for the whole bucket) as a dataset store. */
export function s3Store(bucket: string, prefix: string): DatasetStore {
  const root = `s3://${bucket}/${prefix}`;
  return {
    describe: (rel) => `${root}${rel}`,
    async list() {
      const { sdk: s, client: c } = await s3();
      const out: StoreEntry[] = [];
      let token: string | undefined;
      try {
        do {
          const res = await c.send(new s.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
          for (const o of res.Contents ?? []) {
            if (!o.Key || o.Key.endsWith('/')) continue;
            out.push({ rel: o.Key.slice(prefix.length), size: Number(o.Size ?? 0), version: `${o.ETag ?? o.LastModified?.toISOString() ?? ''}|${o.Size ?? 0}` });
          }
          token = res.IsTruncated ? res.NextContinuationToken : undefined;
        } while (token);
      } catch (err) {
        throw s3Error(root, err);
      }
      return out;
    },
    source(entry) {
      const [etag] = entry.version.split('|');
      return s3ObjectSource({ bucket, key: prefix + entry.rel }, entry.size, etag, `${root}${entry.rel}`);
    },
    async readText(rel) {
      const { sdk: s, client: c } = await s3();
      try {
        const res = await c.send(new s.GetObjectCommand({ Bucket: bucket, Key: prefix + rel }));
        return await res.Body!.transformToString('utf8');
      } catch (err) {
        throw s3Error(`${root}${rel}`, err);
      }
    },
  };
}
