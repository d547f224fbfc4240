import { readFileSync } from 'node:fs';
import { parseCatalogArgument } from './catalog-argument';
import { UsageError } from './exit-codes';
import type { Session } from './session';

/** A file (by LFN or GUID) and one SURL: an item of replicas/add, /remove, /set-master. */
export interface ReplicaPair {
  readonly subject: string;
  readonly file: { readonly lfn: string } | { readonly guid: string };
  readonly surl: string;
}

/**
 * The pairs a replica command acts on: `FILE SURL...` (one file, several SURLs), or with `-f LIST`
 * (`-` for stdin) one `FILE SURL` pair a line, for bulk work on many files.
 */
export async function replicaPairs(session: Session, args: readonly string[], list: string | undefined): Promise<ReplicaPair[]> {
  if (list !== undefined) {
    if (args.length > 0) throw new UsageError('give either -f LIST or FILE SURL..., not both');
    const text = list === '-' ? await readAll(session.io.stdin) : readList(list);
    return text.split('\n').flatMap((raw, i) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return [];
      const fields = line.split(/\s+/);
      if (fields.length !== 2) throw new UsageError(`${list} line ${i + 1}: expected FILE SURL`);
      return [pair(fields[0]!, fields[1]!)];
    });
  }
  if (args.length < 2) throw new UsageError('give FILE SURL... (or -f LIST)');
  return args.slice(1).map((surl) => pair(args[0]!, surl));
}

function pair(fileText: string, surl: string): ReplicaPair {
  const file = parseCatalogArgument(fileText, { guids: true, patterns: false });
  if (!/^[a-z][a-z0-9+.-]*:\/\/[^/]/i.test(surl)) throw new UsageError(`${surl}: not a SURL (scheme://host/path)`);
  return { subject: `${fileText} ${surl}`, file: file.kind === 'guid' ? { guid: file.guid } : { lfn: (file as { lfn: string }).lfn }, surl };
}

function readList(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}
