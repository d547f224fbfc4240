import { ReplicatError, type ReplicatClient } from '@replicat/sdk';

/**
 * Every LFN at and below the given ones, depth first: one streamed listing per directory, and memory for
 * the directories still to visit, not for the entries seen. Directories that vanish on the way are skipped.
 */
export async function* walkTree(client: ReplicatClient, roots: readonly { lfn: string; kind?: string }[]): AsyncGenerator<string> {
  const pending: string[] = [];
  for (const root of [...roots].reverse()) {
    if (root.kind === undefined || root.kind === 'directory') pending.push(root.lfn);
  }
  for (const root of roots) yield root.lfn;
  while (pending.length > 0) {
    const directory = pending.pop()!;
    const below: string[] = [];
    try {
      for await (const entry of client.dir.list(directory)) {
        yield entry.lfn;
        if (entry.kind === 'directory') below.push(entry.lfn);
      }
    } catch (error) {
      if (error instanceof ReplicatError && (error.code === 'NotExists' || error.code === 'NotADirectory')) continue;
      throw error;
    }
    for (const sub of below.reverse()) pending.push(sub);
  }
}

/** Groups a stream into arrays of at most `size`, so a walk of millions is acted on a bulk at a time. */
export async function* inBatches<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of items) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
