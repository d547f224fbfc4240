import { ReplicatError, type Entry, type ReplicatClient } from '@replicat/sdk';
import { parseCatalogArguments, type ArgumentForms } from './catalog-argument';
import { expandPatterns, type PatternCatalog } from './expand-patterns';
import type { LfnPattern } from './lfn-pattern';
import type { ItemError, Session } from './session';

/** A catalog entry an argument named: by LFN (with its entry when a listing already gave it), or by GUID. */
export type Target =
  | { readonly kind: 'lfn'; readonly subject: string; readonly lfn: string; readonly entry?: Entry }
  | { readonly kind: 'guid'; readonly subject: string; readonly guid: string };

/**
 * Parses arguments and expands their wildcards (one listing per directory a pattern must read, see
 * expandPatterns), in argument order. A pattern that matches nothing is a failed item (`no match`).
 */
export async function resolveTargets(session: Session, texts: readonly string[], forms: ArgumentForms = {}): Promise<Target[]> {
  const parsed = parseCatalogArguments(texts, forms);
  const patterns = parsed.flatMap((p) => (p.kind === 'pattern' ? [p.pattern] : []));
  const expanded = new Map<LfnPattern, readonly Entry[]>();
  if (patterns.length > 0) {
    const results = await expandPatterns(patterns, entryCatalog(session.client()));
    for (const r of results) expanded.set(r.pattern, r.matches);
  }
  const targets: Target[] = [];
  for (const p of parsed) {
    switch (p.kind) {
      case 'lfn':
        targets.push({ kind: 'lfn', subject: p.text, lfn: p.lfn });
        break;
      case 'guid':
        targets.push({ kind: 'guid', subject: p.text, guid: p.guid });
        break;
      case 'pattern': {
        const matches = expanded.get(p.pattern) ?? [];
        if (matches.length === 0) await session.fail(p.text, { code: 'NotExists', message: 'no match' });
        for (const entry of matches) targets.push({ kind: 'lfn', subject: entry.lfn, lfn: entry.lfn, entry });
        break;
      }
    }
  }
  return targets;
}

/** The LFN targets, for operations that take no GUID (resolveTargets with guids off gives only these). */
export function lfnTargets(targets: readonly Target[]): Extract<Target, { kind: 'lfn' }>[] {
  return targets.flatMap((t) => (t.kind === 'lfn' ? [t] : []));
}

/** The catalog as pattern expansion reads it, over the SDK: NDJSON listings and bulk stat. */
export function entryCatalog(client: ReplicatClient): PatternCatalog<Entry> {
  return {
    async *list(directory) {
      try {
        yield* client.dir.list(directory);
      } catch (error) {
        // A directory that is not there (or not one) holds no matches; anything else is worth stopping for.
        if (error instanceof ReplicatError && (error.code === 'NotExists' || error.code === 'NotADirectory')) return;
        throw error;
      }
    },
    async existing(lfns) {
      const results = await client.entries.stat(lfns.map((lfn) => ({ lfn, follow: false })));
      return results.flatMap((r) => (r.ok ? [r.entry] : []));
    },
  };
}

/**
 * Reports each result of a bulk call: a failure as one stderr line, a success through `onOk`; with
 * --json, every result as one JSON line (`{"item": subject, ...result}`).
 */
export async function reportResults<R extends { readonly ok: true } | { readonly ok: false; readonly error: ItemError }>(
  session: Session,
  subjects: readonly string[],
  results: readonly R[],
  onOk?: (result: Extract<R, { ok: true }>, index: number) => Promise<void> | void,
): Promise<void> {
  for (let i = 0; i < results.length; i++) {
    const result: R = results[i]!;
    if (session.json) await session.out.json({ item: subjects[i], ...result });
    const settled: { readonly ok: true } | { readonly ok: false; readonly error: ItemError } = result;
    if (!settled.ok) await session.fail(subjects[i]!, settled.error);
    else if (onOk !== undefined) await onOk(result as Extract<R, { ok: true }>, i);
  }
}
