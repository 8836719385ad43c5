/**
 * `--shard I/N` as the CLI reads it: apart from the partition (`partition.ts`), so parsing the
 * command line does not load the model check it uses.
 */
import { UserError } from '../errors';

export interface Shard {
  /** 1-based. */
  index: number;
  total: number;
}

/** Parses `I/N` (1 ≤ I ≤ N, at most 1000 shards); anything else is a one-line usage error naming `--shard`. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || !(total >= 1) || !(index >= 1) || index > total || total > MAX_SHARDS) {
    throw new UserError(`--shard ${JSON.stringify(text)} is not I/N with 1 ≤ I ≤ N ≤ ${MAX_SHARDS} (e.g. --shard 2/4)`);
  }
  return { index, total };
}

export const MAX_SHARDS = 1000;
