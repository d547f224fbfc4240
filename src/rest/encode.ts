import { isDate } from 'node:util/types';
import type { Entry } from '../core/entry';
import type { EntryAttribute } from '../core/metadata/entry-values';
import type { Replica } from '../core/replicas/replica';
import type { SeReplica } from '../core/replicas/list-se-replicas';
import type { Result } from '../core/result';
import { toItemError } from './problem';

/** Entries as the API shows them (openapi: Entry). Fields a kind does not have are absent, not null. */
export function encodeEntry(entry: Entry): Record<string, unknown> {
  const common = {
    lfn: entry.lfn,
    kind: entry.kind,
    owner: entry.owner,
    group: entry.group,
    ctime: entry.ctime.toISOString(),
    mtime: entry.mtime.toISOString(),
  };
  switch (entry.kind) {
    case 'directory':
      return common;
    case 'symlink':
      return { ...common, target: entry.target };
    case 'file':
      return {
        ...common,
        guid: entry.guid,
        ...(entry.size !== null ? { size: entry.size } : {}),
        ...(entry.checksum !== null ? { checksum: entry.checksum } : {}),
      };
  }
}

export function encodeReplica(replica: Replica): Record<string, unknown> {
  return {
    surl: replica.surl,
    se: replica.se,
    status: replica.status,
    master: replica.master,
    ctime: replica.ctime.toISOString(),
    mtime: replica.mtime.toISOString(),
  };
}

export function encodeSeReplica(replica: SeReplica): Record<string, unknown> {
  return { ...encodeReplica(replica), guid: replica.guid, lfn: replica.lfn };
}

/** `{results: [...]}`: one result per item in request order, `ok` telling success from failure. */
export function encodeResults<T>(
  results: readonly Result<T>[],
  encode: (value: T) => Record<string, unknown>,
): { results: Record<string, unknown>[] } {
  return {
    results: results.map((r) => (r.ok ? { ok: true, ...encode(r.value) } : { ok: false, error: toItemError(r.error) })),
  };
}

/** `{name: value}` (openapi: AttributeValues); timestamps as RFC 3339 strings. */
export function encodeAttributeValues(attributes: readonly EntryAttribute[]): Record<string, unknown> {
  // fromEntries defines own properties, so an attribute named "__proto__" is just a name.
  return Object.fromEntries(attributes.map((a) => [a.name, isDate(a.value) ? a.value.toISOString() : a.value]));
}
